using Scaler.Functions;

namespace Scaler.Internal;

/// <summary>The agent's view of a future: how to complete it, whatever its result type.</summary>
internal interface IPendingTask
{
    byte[] TaskId { get; }

    ShippableFunction Function { get; }

    bool IsCompleted { get; }

    /// <summary>Completes with the task's result object, read with the function's declared result type.</summary>
    void CompleteWithResult(ReadOnlyMemory<byte> resultObject);

    void Fail(Exception error);

    void MarkCanceled();
}
