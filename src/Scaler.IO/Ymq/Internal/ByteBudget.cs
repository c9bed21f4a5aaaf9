namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// An async byte allowance: <see cref="AcquireAsync"/> waits (FIFO) until the bytes in use plus the request fit the
/// limit, and <see cref="Release"/> gives bytes back. A request larger than the limit is granted when nothing is in
/// use, so one big frame can always pass. <see cref="Close"/> fails every waiter and later request.
/// </summary>
internal sealed class ByteBudget
{
    private readonly object _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private readonly long _limit;
    private long _used;
    private bool _closed;
    private TaskCompletionSource? _idle;

    public ByteBudget(long limit)
    {
        _limit = limit;
    }

    public long Used
    {
        get
        {
            lock (_lock)
            {
                return _used;
            }
        }
    }

    /// <summary>True when granted; false when the budget is closed.</summary>
    public ValueTask<bool> AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_closed)
            {
                return new ValueTask<bool>(false);
            }

            if (_waiters.Count == 0 && Fits(bytes))
            {
                _used += bytes;
                return new ValueTask<bool>(true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter(bytes);
            _waiters.Enqueue(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(
                static state =>
                {
                    var (budget, w, token) = ((ByteBudget, Waiter, CancellationToken))state!;
                    if (w.TrySetCanceled(token))
                    {
                        budget.Release(0);
                    }
                },
                (this, waiter, cancellationToken));
        }

        return new ValueTask<bool>(waiter.Task);
    }

    /// <summary>Completes when nothing is in use (at once if nothing is) or the budget is closed.</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            if (_used <= 0 || _closed)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    public void Release(long bytes)
    {
        List<Waiter>? granted = null;
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            _used -= bytes;
            while (_waiters.Count > 0)
            {
                var head = _waiters.Peek();
                if (head.Task.IsCompleted)
                {
                    _waiters.Dequeue();
                    continue;
                }

                if (!Fits(head.Bytes))
                {
                    break;
                }

                _waiters.Dequeue();
                _used += head.Bytes;
                (granted ??= []).Add(head);
            }

            // After the grants: a waiter that got its bytes keeps the budget busy.
            if (_used <= 0)
            {
                (idle, _idle) = (_idle, null);
            }
        }

        idle?.TrySetResult();
        if (granted is null)
        {
            return;
        }

        foreach (var waiter in granted)
        {
            waiter.Registration.Dispose();
            if (!waiter.TrySetResult(true))
            {
                // Cancelled between the grant and here: give its bytes back.
                Release(waiter.Bytes);
            }
        }
    }

    public void Close()
    {
        Waiter[] waiters;
        TaskCompletionSource? idle;
        lock (_lock)
        {
            _closed = true;
            waiters = [.. _waiters];
            _waiters.Clear();
            (idle, _idle) = (_idle, null);
        }

        idle?.TrySetResult();

        foreach (var waiter in waiters)
        {
            waiter.Registration.Dispose();
            waiter.TrySetResult(false);
        }
    }

    private bool Fits(long bytes) => _used <= 0 || _used + bytes <= _limit;

    private sealed class Waiter : TaskCompletionSource<bool>
    {
        public Waiter(long bytes)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Bytes = bytes;
        }

        public long Bytes { get; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}
