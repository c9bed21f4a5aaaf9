namespace Scaler.Scheduler.Policies.Scaling;

/// <summary>
/// "Keep <paramref name="TaskConcurrency"/> workers offering <paramref name="Capabilities"/>": one request of the
/// declarative <c>setDesiredTaskConcurrency</c> command. Empty capabilities match any worker.
/// </summary>
internal sealed record DesiredTaskConcurrency(IReadOnlyDictionary<string, long> Capabilities, int TaskConcurrency);
