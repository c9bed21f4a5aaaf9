using Scaler.Functions;
using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>What the send loop handles, in the order the public API produced it.</summary>
internal abstract class Outgoing;

/// <summary>A task with the objects to store before it is sent.</summary>
internal sealed class Submission(TaskMessage task, IPendingTask future, List<PendingUpload> uploads, List<CodeAssembly> code) : Outgoing
{
    public TaskMessage Task { get; } = task;

    public IPendingTask Future { get; } = future;

    public List<PendingUpload> Uploads { get; } = uploads;

    public List<CodeAssembly> Code { get; } = code;
}

/// <summary>A cancel request; queued behind the task's submission so it never reaches the scheduler first.</summary>
internal sealed class CancelRequest(byte[] taskId) : Outgoing
{
    public byte[] TaskId { get; } = taskId;
}
