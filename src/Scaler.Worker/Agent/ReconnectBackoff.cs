namespace Scaler.Worker.Agent;

/// <summary>
/// How long a worker or worker manager waits before its next try to reach a scheduler it lost: 0.25 s, doubling to
/// at most 10 s. The first try after the loss is immediate (a scheduler restarted by a supervisor is back within
/// seconds); the cap keeps a long outage at one attempt, and one log line, per 10 s. What bounds the whole is the
/// caller's death timeout (<c>--death-timeout-seconds</c>).
/// </summary>
internal static class ReconnectBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    /// <summary>The wait after the <paramref name="failedAttempts"/>-th failed attempt (1-based).</summary>
    public static TimeSpan After(int failedAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var ticks = First.Ticks * Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}
