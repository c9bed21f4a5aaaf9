namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// Lets an event that can repeat thousands of times a second (a failing accept, a refused connection) reach the log at
/// most once per interval, with the number of times it happened. Not thread-safe: one loop uses it.
/// </summary>
internal sealed class LogThrottle
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private bool _loggedOnce;
    private long _lastLogged;
    private int _count;

    public LogThrottle(TimeSpan interval, TimeProvider time)
    {
        _interval = interval;
        _time = time;
    }

    /// <summary>
    /// Counts one occurrence. True when a line is due, with <paramref name="count"/> the occurrences since the last
    /// line (this one included); the first occurrence is logged at once.
    /// </summary>
    public bool Occurred(out int count)
    {
        _count++;
        var now = _time.GetTimestamp();
        if (_loggedOnce && _time.GetElapsedTime(_lastLogged, now) < _interval)
        {
            count = 0;
            return false;
        }

        _loggedOnce = true;
        _lastLogged = now;
        count = _count;
        _count = 0;
        return true;
    }
}
