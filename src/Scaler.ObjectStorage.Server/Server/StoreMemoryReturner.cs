using Microsoft.Extensions.Logging;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// Gives the memory of deleted objects back to the system once the store has shrunk by half and by at least
/// <see cref="MinimumShrinkBytes"/> since it last did: an aggressive (decommitting) full garbage collection, run off the
/// receive loop, <see cref="Delay"/> after the shrink was seen and at most once per <see cref="MinimumInterval"/>.
/// </summary>
/// <remarks>
/// Why: stored objects are large arrays the runtime keeps in memory regions of their own. Once freed, the regions stay
/// committed for reuse: no ordinary collection returns them, and a server kept the resident set of its peak after
/// every object was deleted. Only <see cref="GCCollectionMode.Aggressive"/> decommits them. It stops the process for a
/// time that grows with the memory returned (decision 30), so it runs only when the store shrank a lot: space freed while
/// the store stays near its peak is reused by the next objects and need not go back.
/// </remarks>
internal sealed class StoreMemoryReturner : IDisposable
{
    /// <summary>Least shrink worth a collection.</summary>
    public const long MinimumShrinkBytes = 256L << 20;

    /// <summary>Wait after the shrink is seen, so a burst of deletes is returned by one collection.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    /// <summary>Least time between two collections.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _collect;
    private readonly ITimer _timer;

    /// <summary>Largest number of bytes held since the last collection.</summary>
    private long _peak;

    private long _held;
    private bool _scheduled;
    private long? _lastReturn;
    private bool _disposed;

    /// <param name="collect">The collection; tests substitute one that counts.</param>
    public StoreMemoryReturner(TimeProvider time, ILogger logger, Action? collect = null)
    {
        _time = time;
        _logger = logger;
        _collect = collect ?? (static () => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true));
        _timer = time.CreateTimer(static state => ((StoreMemoryReturner)state!).Return(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Number of collections run.</summary>
    public int Returns { get; private set; }

    /// <summary>Called with the bytes the store holds after it changed; schedules a collection when it shrank enough.</summary>
    public void Observe(long heldBytes)
    {
        lock (_lock)
        {
            _held = heldBytes;
            if (heldBytes >= _peak)
            {
                _peak = heldBytes;
                return;
            }

            if (_scheduled || _disposed || !HasShrunk())
            {
                return;
            }

            _scheduled = true;
            TimeSpan due = Delay;
            if (_lastReturn is long last && MinimumInterval - _time.GetElapsedTime(last) is var rest && rest > due)
            {
                due = rest;
            }

            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    private bool HasShrunk() => _peak - _held >= MinimumShrinkBytes && _held <= _peak / 2;

    private void Return()
    {
        long peak;
        long held;
        lock (_lock)
        {
            _scheduled = false;
            if (_disposed || !HasShrunk())
            {
                return; // The store grew back meanwhile: the space is in use again.
            }

            peak = _peak;
            held = _held;
        }

        long before = Environment.WorkingSet;
        long started = _time.GetTimestamp();
        _collect();
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            _peak = _held;
            _lastReturn = now;
            Returns++;
        }

        ObjectStorageLog.MemoryReturned(
            _logger, peak, held, before, Environment.WorkingSet, _time.GetElapsedTime(started, now).TotalMilliseconds);
    }
}
