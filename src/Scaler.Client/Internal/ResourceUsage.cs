using System.Diagnostics;

namespace Scaler.Internal;

/// <summary>
/// The process's CPU use since the previous sample, in tenths of a percent of one core (the reference sends
/// <c>psutil.cpu_percent() * 10</c>), and its resident set size in bytes, for the client heartbeat.
/// </summary>
internal sealed class ResourceUsage
{
    private readonly TimeProvider _time;
    private long _lastTimestamp;
    private TimeSpan _lastCpu;

    public ResourceUsage(TimeProvider time)
    {
        _time = time;
        _lastTimestamp = time.GetTimestamp();
        _lastCpu = CurrentCpu();
    }

    public (ushort Cpu, ulong Rss) Sample()
    {
        var now = _time.GetTimestamp();
        var cpu = CurrentCpu();
        var wall = _time.GetElapsedTime(_lastTimestamp, now);
        var used = cpu - _lastCpu;
        _lastTimestamp = now;
        _lastCpu = cpu;
        var perMille = wall > TimeSpan.Zero ? used.TotalMilliseconds * 1000 / wall.TotalMilliseconds : 0;
        return ((ushort)Math.Clamp(perMille, 0, ushort.MaxValue), (ulong)Math.Max(0, Environment.WorkingSet));
    }

    private static TimeSpan CurrentCpu()
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or PlatformNotSupportedException)
        {
            return TimeSpan.Zero;
        }
    }
}
