using System.Text;
using Scaler.Protocol.Messages;

namespace Scaler.Cli.Top;

/// <summary>
/// Turns successive monitor messages into <see cref="TopRates"/>. The scheduler's rates are the change of its binder's
/// cumulative message counters between two <see cref="StateScheduler"/> snapshots, divided by the time between their
/// arrival on <see cref="TimeProvider"/>'s clock. The snapshot has no per-worker counter, so a worker's rate counts the
/// <see cref="StateTask"/> messages that report a task it finished (success or failure) since the last snapshot; until
/// one such message was seen, per-worker rates are unknown (a monitor that publishes no task states shows "-", not 0).
/// </summary>
internal sealed class TaskRateMeter(TimeProvider clock)
{
    private const string ResultKind = nameof(MessageKind.TaskResult);
    private static readonly string[] SubmissionKinds = [nameof(MessageKind.Task), nameof(MessageKind.GraphTask)];

    private readonly Dictionary<string, long> _finishedByWorker = new(StringComparer.Ordinal);
    private bool _sawFinishedTask;
    private Snapshot? _previous;

    /// <summary>Counts a task a worker finished; other states change nothing.</summary>
    public void Observe(StateTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.State is not (TaskState.Success or TaskState.Failed) || task.Worker.Length == 0)
        {
            return;
        }

        var worker = Encoding.UTF8.GetString(task.Worker);
        _finishedByWorker[worker] = _finishedByWorker.GetValueOrDefault(worker) + 1;
        _sawFinishedTask = true;
    }

    /// <summary>The rates since the previous snapshot, which <paramref name="state"/> then replaces.</summary>
    public TopRates Sample(StateScheduler state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var current = new Snapshot(
            clock.GetTimestamp(),
            Count(state.Binder.Received, [ResultKind]),
            Count(state.Binder.Received, SubmissionKinds));
        var previous = _previous;
        _previous = current;
        if (previous is null)
        {
            _finishedByWorker.Clear();
            return TopRates.Unknown;
        }

        var seconds = clock.GetElapsedTime(previous.Timestamp, current.Timestamp).TotalSeconds;
        if (seconds <= 0)
        {
            // Two snapshots in the same tick of the clock: no interval to divide by; count on into the next one.
            _previous = previous;
            return TopRates.Unknown;
        }

        var perWorker = _sawFinishedTask
            ? _finishedByWorker.ToDictionary(p => p.Key, p => p.Value / seconds, StringComparer.Ordinal)
            : null;
        _finishedByWorker.Clear();
        return new TopRates(
            Increase(previous.Results, current.Results) / seconds,
            Increase(previous.Submitted, current.Submitted) / seconds,
            perWorker);
    }

    private static long Count(IReadOnlyList<BinderStatus.Pair> counters, string[] kinds)
    {
        long sum = 0;
        foreach (var pair in counters)
        {
            if (kinds.Contains(pair.Client, StringComparer.Ordinal))
            {
                sum += pair.Number;
            }
        }

        return sum;
    }

    // A counter that went down belongs to a restarted scheduler: it counted from 0 since.
    private static long Increase(long previous, long current) => current >= previous ? current - previous : current;

    private sealed record Snapshot(long Timestamp, long Results, long Submitted);
}
