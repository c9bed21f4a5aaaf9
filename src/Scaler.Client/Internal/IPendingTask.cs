using Scaler.Functions;

namespace Scaler.Internal;

/// <summary>The agent's view of a future: how to complete it, whatever its result type.</summary>
internal interface IPendingTask
{
    byte[] TaskId { get; }

    ShippableFunction Function { get; }

    bool IsCompleted { get; }

    /// <summary>False for a graph's own (umbrella) ID, whose result carries no object.</summary>
    bool ExpectsResultObject { get; }

    /// <summary>Simple tasks delete their result once read (as the reference); graph results are left to the scheduler.</summary>
    bool DeletesResult { get; }

    /// <summary>Completes with the task's result object, read with the function's declared result type.</summary>
    void CompleteWithResult(ReadOnlyMemory<byte> resultObject);

    void Fail(Exception error);

    void MarkCanceled();
}
