using Scaler.Identity;

namespace Scaler.Scheduler.Policies.Scaling;

/// <summary>
/// What a scaling policy sees when a worker manager heartbeats: the whole scheduler's tasks and workers, and the
/// manager being answered.
/// </summary>
/// <param name="TaskCount">Tasks the scheduler holds (queued and on workers), as the reference counts them.</param>
/// <param name="TaskCapabilities">Each held task's capabilities; enumerated only by capability scaling.</param>
/// <param name="WorkerCount">Workers connected to the scheduler, from every manager.</param>
/// <param name="Manager">The manager being answered.</param>
/// <param name="MaxTaskConcurrency">The manager's limit; -1 means unlimited.</param>
/// <param name="ManagedWorkerCount">Connected workers that this manager started.</param>
internal sealed record ScalingSnapshot(
    int TaskCount,
    IEnumerable<IReadOnlyDictionary<string, long>> TaskCapabilities,
    int WorkerCount,
    WorkerManagerId Manager,
    int MaxTaskConcurrency,
    int ManagedWorkerCount)
{
    public const int UnlimitedConcurrency = -1;

    /// <summary>Applies the manager's limit (unless unlimited) and the floor of zero.</summary>
    public int Clamp(int desired)
    {
        if (MaxTaskConcurrency != UnlimitedConcurrency)
        {
            desired = Math.Min(desired, MaxTaskConcurrency);
        }

        return Math.Max(0, desired);
    }
}
