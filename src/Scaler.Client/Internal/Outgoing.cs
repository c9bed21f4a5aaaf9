using Scaler.Functions;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>What the send loop handles, in the order the public API produced it.</summary>
internal abstract class Outgoing;

/// <summary>A <c>Task</c> or <c>GraphTask</c> with the objects to store before it is sent.</summary>
internal sealed class Submission(IMessage message, IReadOnlyList<byte[]> taskIds, List<PendingUpload> uploads, List<CodeAssembly> code) : Outgoing
{
    public IMessage Message { get; } = message;

    /// <summary>The IDs registered as pending for this message (a task; or a graph's targets and its own ID).</summary>
    public IReadOnlyList<byte[]> TaskIds { get; } = taskIds;

    public List<PendingUpload> Uploads { get; } = uploads;

    public List<CodeAssembly> Code { get; } = code;
}

/// <summary>A cancel request; queued behind the task's submission so it never reaches the scheduler first.</summary>
internal sealed class CancelRequest(byte[] taskId) : Outgoing
{
    public byte[] TaskId { get; } = taskId;
}
