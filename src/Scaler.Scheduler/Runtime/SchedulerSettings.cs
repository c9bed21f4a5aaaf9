using Scaler.IO.Addressing;

namespace Scaler.Scheduler.Runtime;

/// <summary>The resolved options the scheduler's loop works with.</summary>
internal sealed record SchedulerSettings(
    ScalerAddress AdvertisedObjectStorageAddress,
    TimeSpan ClientTimeout,
    TimeSpan WorkerTimeout,
    TimeSpan WorkerManagerTimeout,
    bool Protected,
    int LoadBalanceTriggerTimes,
    TimeSpan ObjectRetention)
{
    /// <summary>The reference's fixed worker manager timeout (<c>DEFAULT_WORKER_MANAGER_TIMEOUT_SECONDS</c>).</summary>
    public static readonly TimeSpan DefaultWorkerManagerTimeout = TimeSpan.FromSeconds(10);
}
