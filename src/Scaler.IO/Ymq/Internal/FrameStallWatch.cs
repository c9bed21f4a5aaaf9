namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// One timer per binder (or connector) that looks at its connections a few times per
/// <see cref="YmqOptions.FrameStallTimeout"/> and drops those whose frame in progress has stalled
/// (<see cref="YmqConnection.CloseIfStalled"/>). A stall is noticed between one and one and a half timeouts after the
/// last progress. One timer for all connections costs nothing on the frame path, where a timer per frame would.
/// </summary>
internal sealed class FrameStallWatch : IDisposable
{
    private readonly ITimer _timer;
    private readonly Func<IEnumerable<YmqConnection>> _connections;
    private int _sweeping;

    public FrameStallWatch(TimeSpan timeout, TimeProvider time, Func<IEnumerable<YmqConnection>> connections)
    {
        _connections = connections;
        var period = timeout / 4;
        _timer = time.CreateTimer(static state => ((FrameStallWatch)state!).Sweep(), this, period, period);
    }

    public void Dispose() => _timer.Dispose();

    private void Sweep()
    {
        // A sweep still running when the next tick comes (thousands of connections on a slow machine) is not doubled.
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            foreach (var connection in _connections())
            {
                connection.CloseIfStalled();
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
