using Scaler.Functions;
using Scaler.Internal;

namespace Scaler.ClientTests.Support;

/// <summary>A pending task that records how it ended, and how many times something tried to end it.</summary>
internal sealed class RecordingPendingTask(byte[] taskId, bool deletesResult = true, bool expectsResultObject = true) : IPendingTask
{
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _endings;

    public byte[] TaskId { get; } = taskId;

    public ShippableFunction Function => throw new NotSupportedException("not needed by these tests");

    public bool IsCompleted => _ended.Task.IsCompleted;

    public bool ExpectsResultObject { get; } = expectsResultObject;

    public bool DeletesResult { get; } = deletesResult;

    /// <summary>How many times it was completed, failed or canceled (once is right).</summary>
    public int Endings => Volatile.Read(ref _endings);

    public byte[]? Result { get; private set; }

    public Exception? Error { get; private set; }

    /// <summary>"result", "failed" or "canceled", once it ended.</summary>
    public Task<string> Ended => _ended.Task;

    public void CompleteWithResult(ReadOnlyMemory<byte> resultObject)
    {
        Result = resultObject.ToArray();
        End("result");
    }

    public void Fail(Exception error)
    {
        Error = error;
        End("failed");
    }

    public void MarkCanceled() => End("canceled");

    private void End(string how)
    {
        Interlocked.Increment(ref _endings);
        _ended.TrySetResult(how);
    }
}
