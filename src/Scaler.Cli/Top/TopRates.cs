namespace Scaler.Cli.Top;

/// <summary>
/// Tasks per second between the last two <see cref="Protocol.Messages.StateScheduler"/> snapshots; null where there is
/// nothing to compare yet (the first snapshot) or the monitor gives no data for it.
/// </summary>
/// <param name="ResultsPerSecond">Task results the scheduler received (its binder's <c>TaskResult</c> counter).</param>
/// <param name="SubmittedPerSecond">Tasks the scheduler received from clients (<c>Task</c> and <c>GraphTask</c>).</param>
/// <param name="PerWorker">Results per second by worker, counted from the monitor's <c>StateTask</c> messages.</param>
internal sealed record TopRates(double? ResultsPerSecond, double? SubmittedPerSecond, IReadOnlyDictionary<string, double>? PerWorker)
{
    public static TopRates Unknown { get; } = new(null, null, null);

    /// <summary>The rate of <paramref name="worker"/>: 0 when it finished nothing in the interval, null when unknown.</summary>
    public double? OfWorker(string worker) => PerWorker is null ? null : PerWorker.GetValueOrDefault(worker);
}
