namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// Gives the memory of large frames' arrays back to the OS after they die. A frame handed to the consumer is an array
/// on the GC heap (the API's), and so is a frame of up to <see cref="FrameAssembler.ArrayFrameMaxBytes"/> dropped
/// half-way; once dead, the GC keeps such memory committed until its free region has aged over a few full blocking
/// collections, and an idle process runs none: a scheduler that had decoded and dropped one large frame kept all its
/// memory resident for good (background collections did not give it back; blocking ones did, from the third on, about
/// one region per collection). So when at least <see cref="ThresholdBytes"/> of such arrays were made and then none
/// for <see cref="Quiet"/>, this runs full blocking, non-compacting collections <see cref="Spacing"/> apart: at least
/// <see cref="MinCollections"/>, then more while each still lowers the committed memory, at most
/// <see cref="MaxCollections"/> (docs/transport.md, "Memory"). Non-compacting: a pause costs the marking of what is
/// alive, never the copying of it. A busy stream of large frames is never interrupted (the quiet period restarts with
/// each one).
/// </summary>
internal sealed class LargeFrameMemoryReturn : IDisposable
{
    public const long ThresholdBytes = 16 << 20;
    public const int MinCollections = 3;
    public const int MaxCollections = 20;
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Spacing = TimeSpan.FromSeconds(1);

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly Func<long> _collect;
    private readonly ITimer _timer;
    private long _bytesSinceReturn;
    private long _lastMade;
    private bool _returning;
    private int _collections;
    private long _committed;

    /// <param name="time">The clock of the quiet period and the spacing.</param>
    /// <param name="collect">Runs one collection and returns the bytes the GC has committed after it (tests count them).</param>
    public LargeFrameMemoryReturn(TimeProvider time, Func<long>? collect = null)
    {
        _time = time;
        _collect = collect ?? Collect;
        _timer = time.CreateTimer(static state => ((LargeFrameMemoryReturn)state!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>An array of <paramref name="bytes"/> for a frame was made (not called for frames of 64 KiB or less).</summary>
    public void Made(long bytes)
    {
        lock (_lock)
        {
            _lastMade = _time.GetTimestamp();
            _bytesSinceReturn += bytes;
            if (_bytesSinceReturn < ThresholdBytes)
            {
                return;
            }

            _bytesSinceReturn = 0;
            _collections = 0;
            _committed = long.MaxValue;
            if (!_returning)
            {
                _returning = true;
                _timer.Change(Quiet, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private static long Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        return GC.GetGCMemoryInfo().TotalCommittedBytes;
    }

    private void Tick()
    {
        lock (_lock)
        {
            var quietFor = _time.GetElapsedTime(_lastMade);
            if (quietFor < Quiet)
            {
                _timer.Change(Quiet - quietFor, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        var committed = _collect();
        lock (_lock)
        {
            _collections++;
            var stillGivingBack = committed < _committed;
            _committed = committed;
            if (_collections < MinCollections || (stillGivingBack && _collections < MaxCollections))
            {
                _timer.Change(Spacing, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _returning = false;
            }
        }
    }
}
