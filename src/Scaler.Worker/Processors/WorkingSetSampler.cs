using System.Diagnostics;

namespace Scaler.Worker.Processors;

/// <summary>
/// The processor's working set for the profile of each task, read at most every <see cref="Interval"/>: reading it
/// parses /proc/self/status, which done for every task was a large share of a processor's CPU on tiny tasks (the
/// figure: docs/performance.md, "Nothing expensive per task that can be done once").
/// </summary>
internal static class WorkingSetSampler
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private static long s_value;
    private static long s_readAt = long.MinValue;

    public static long Current
    {
        get
        {
            var now = Stopwatch.GetTimestamp();
            var readAt = Volatile.Read(ref s_readAt);
            if (readAt != long.MinValue && Stopwatch.GetElapsedTime(readAt, now) < Interval)
            {
                return Volatile.Read(ref s_value);
            }

            var value = Environment.WorkingSet;
            Volatile.Write(ref s_value, value);
            Volatile.Write(ref s_readAt, now);
            return value;
        }
    }
}
