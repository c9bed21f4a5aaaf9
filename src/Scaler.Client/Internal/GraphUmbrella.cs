using Scaler.Functions;

namespace Scaler.Internal;

/// <summary>
/// The pending entry of a graph's own ID: the scheduler answers it with an object-less TaskResult when the whole
/// graph is done, and a cancel of the graph is addressed to it. The targets' futures carry the results.
/// </summary>
internal sealed class GraphUmbrella(byte[] graphTaskId) : IPendingTask
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public byte[] TaskId { get; } = graphTaskId;

    public ShippableFunction Function => throw new NotSupportedException("a graph has no function of its own");

    public bool IsCompleted => _done.Task.IsCompleted;

    public bool ExpectsResultObject => false;

    public bool DeletesResult => false;

    public Task Completion => _done.Task;

    public void CompleteWithResult(ReadOnlyMemory<byte> resultObject) => _done.TrySetResult();

    public void Fail(Exception error)
    {
        _done.TrySetException(error);
        _ = _done.Task.Exception;
    }

    public void MarkCanceled() => _done.TrySetCanceled();
}
