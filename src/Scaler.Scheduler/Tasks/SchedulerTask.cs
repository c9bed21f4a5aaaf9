using Scaler.Identity;

namespace Scaler.Scheduler.Tasks;

/// <summary>
/// A submitted task as the core needs it. <paramref name="Frame"/> is the encoded Task message its worker is sent:
/// the frame a client's task arrived in, kept as it is so it is forwarded without encoding, or a graph node's message
/// encoded once when it is submitted. The core never looks inside; the networking layer decodes it again only when a
/// monitor needs the task's function name, capabilities or metadata.
/// </summary>
internal sealed record SchedulerTask(
    TaskId Id,
    ClientId Client,
    IReadOnlyDictionary<string, long> Capabilities,
    byte[] Frame);
