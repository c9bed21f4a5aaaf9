using Scaler.Scheduler.Identity;

namespace Scaler.Scheduler.Tasks;

/// <summary>
/// A submitted task as the core needs it. <paramref name="Payload"/> is whatever the networking layer wants handed
/// back when the task is sent to a worker (typically the decoded Task message); the core never looks inside.
/// </summary>
internal sealed record SchedulerTask(
    TaskId Id,
    ClientId Client,
    IReadOnlyDictionary<string, long> Capabilities,
    object? Payload = null);
