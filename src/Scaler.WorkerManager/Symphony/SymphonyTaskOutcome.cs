using Scaler.Protocol.Messages;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// What a SOAM task's output means for its Scaler task: it is over, with a result type and payload (the result object,
/// or the error in the client's format); or it must be built again with every code byte and sent again.
/// </summary>
internal readonly record struct SymphonyTaskOutcome(TaskResultType Type, ReadOnlyMemory<byte> Payload, string? ResendWithCodeBecause)
{
    /// <summary>True when the task must be sent again with every code byte (<see cref="ResendWithCodeBecause"/> says why).</summary>
    public bool ResendWithCode => ResendWithCodeBecause is not null;

    public static SymphonyTaskOutcome Finished(TaskResultType type, ReadOnlyMemory<byte> payload) => new(type, payload, null);

    public static SymphonyTaskOutcome Resend(string because) => new(TaskResultType.Failed, ReadOnlyMemory<byte>.Empty, because);
}
