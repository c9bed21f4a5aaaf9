namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// Decides when a connection's frame in progress has stalled: a frame was begun, and since then less than
/// <see cref="MinimumProgressBytes"/> arrived and no frame completed for <see cref="YmqOptions.FrameStallTimeout"/>.
/// The receive loop only bumps counters (no timer per frame or per read); a <see cref="FrameStallWatch"/> calls
/// <see cref="IsStalled"/> now and then with them, from one thread at a time.
/// </summary>
internal sealed class FrameStallDetector
{
    /// <summary>
    /// Progress that restarts the clock. A byte now and then is not progress: a peer dribbling a frame would hold
    /// its connection (and the bytes it sent) for ever. 16 KiB per 30 s is far below any working link.
    /// </summary>
    public const long MinimumProgressBytes = 16 * 1024;

    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private bool _marked;
    private long _markTimestamp;
    private long _markBytes;
    private long _markFrames;

    public FrameStallDetector(TimeSpan timeout, TimeProvider time)
    {
        _timeout = timeout;
        _time = time;
    }

    /// <summary>
    /// True when the frame in progress has made no progress for the timeout. <paramref name="bytesReceived"/> and
    /// <paramref name="framesCompleted"/> are the connection's running totals.
    /// </summary>
    public bool IsStalled(bool inProgress, long bytesReceived, long framesCompleted)
    {
        if (!inProgress)
        {
            _marked = false;
            return false;
        }

        var now = _time.GetTimestamp();
        if (!_marked || framesCompleted != _markFrames || bytesReceived - _markBytes >= MinimumProgressBytes)
        {
            _marked = true;
            _markTimestamp = now;
            _markBytes = bytesReceived;
            _markFrames = framesCompleted;
            return false;
        }

        return _time.GetElapsedTime(_markTimestamp, now) >= _timeout;
    }
}
