using Scaler.Worker.Execution;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Hands the Symphony backend's task completions to the worker agent, in batches while more tasks are running. A
/// Symphony slot frees one task at a time, so without this every result would travel alone through the agent, the
/// scheduler, the client and object storage, each waking for it; held for a short window, results of a busy backend
/// travel together. A completion when no other task is held goes out at once (with any batch before it), so a lone
/// task pays no wait.
/// </summary>
internal sealed class CompletionBatcher(ITaskCompletionSink sink, TimeSpan window, TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private List<TaskCompletion> _batch = [];
    private ITimer? _timer;

    /// <summary>Completions waiting for the window to end.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _batch.Count;
            }
        }
    }

    /// <summary>
    /// Reports <paramref name="completion"/>: at once when <paramref name="moreExpected"/> is false (nothing else is
    /// held, so no result would join it) or the window is zero; otherwise when the window that its batch opened ends.
    /// </summary>
    public void Add(TaskCompletion completion, bool moreExpected)
    {
        lock (_gate)
        {
            _batch.Add(completion);
            if (moreExpected && window > TimeSpan.Zero)
            {
                _timer ??= time.CreateTimer(static state => ((CompletionBatcher)state!).Flush(), this, window, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Flush();
    }

    /// <summary>Reports every waiting completion now, in the order they came.</summary>
    public void Flush()
    {
        List<TaskCompletion> batch;
        lock (_gate)
        {
            batch = _batch;
            _batch = [];
            _timer?.Dispose();
            _timer = null;
        }

        foreach (var completion in batch)
        {
            sink.TaskCompleted(completion);
        }
    }

    /// <summary>Reports what is waiting: a result is never dropped.</summary>
    public void Dispose() => Flush();
}
