namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// Connect retry delays: retry n (1-based) waits initial * 2^n, capped at the maximum. With the reference defaults
/// (100 ms, 8 retries; <c>internal/connect_client.cpp</c>) that is 200 ms, 400 ms, ... 25.6 s.
/// </summary>
internal static class ConnectBackoff
{
    public static TimeSpan DelayBeforeRetry(int retry, TimeSpan initialDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var factor = Math.Pow(2, Math.Min(retry, 30));
        var ticks = initialDelay.Ticks * factor;
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
