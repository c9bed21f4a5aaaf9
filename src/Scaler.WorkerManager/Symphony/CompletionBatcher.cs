namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Holds the Symphony backend's finished tasks for a short window while more are running, and hands them on together.
/// A Symphony slot frees one task at a time, so without this every result would travel alone: its object-storage set,
/// then its report through the agent, the scheduler and the client, each process waking for it. Held for the window,
/// the results of a busy backend are stored in one write and reported in one message. A task finishing when no other
/// is held goes at once (with any batch before it), so a lone task pays no wait.
/// </summary>
/// <typeparam name="T">What is held for each finished task.</typeparam>
internal sealed class CompletionBatcher<T>(Action<List<T>> flush, TimeSpan window, TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private List<T> _batch = [];
    private ITimer? _timer;

    /// <summary>Items waiting for the window to end.</summary>
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
    /// Hands <paramref name="item"/> on: at once when <paramref name="moreExpected"/> is false (nothing else is held,
    /// so nothing would join it) or the window is zero; otherwise when the window that its batch opened ends.
    /// </summary>
    public void Add(T item, bool moreExpected)
    {
        lock (_gate)
        {
            _batch.Add(item);
            if (moreExpected && window > TimeSpan.Zero)
            {
                _timer ??= time.CreateTimer(static state => ((CompletionBatcher<T>)state!).Flush(), this, window, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Flush();
    }

    /// <summary>Hands on every waiting item now, in the order they came (nothing when none waits).</summary>
    public void Flush()
    {
        List<T> batch;
        lock (_gate)
        {
            if (_batch.Count == 0)
            {
                return;
            }

            batch = _batch;
            _batch = [];
            _timer?.Dispose();
            _timer = null;
        }

        flush(batch);
    }

    /// <summary>Hands on what is waiting: nothing is dropped.</summary>
    public void Dispose() => Flush();
}
