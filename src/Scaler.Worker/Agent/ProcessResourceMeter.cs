using System.Diagnostics;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Agent;

/// <summary>
/// CPU (per mille of one core since the previous reading, as the reference's <c>cpu_percent * 10</c>) and resident
/// memory of one process.
/// </summary>
internal sealed class ProcessResourceMeter
{
    private readonly TimeProvider _timeProvider;
    private TimeSpan _lastCpu;
    private long _lastTimestamp;

    public ProcessResourceMeter(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _lastTimestamp = timeProvider.GetTimestamp();
    }

    /// <summary>Reads <paramref name="process"/>; a process that is gone reads as zero.</summary>
    public Resource Read(Process process)
    {
        try
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var rss = process.WorkingSet64;
            var now = _timeProvider.GetTimestamp();
            var wall = _timeProvider.GetElapsedTime(_lastTimestamp, now);
            var used = cpu - _lastCpu;
            _lastCpu = cpu;
            _lastTimestamp = now;
            var permille = wall > TimeSpan.Zero ? used.TotalMilliseconds / wall.TotalMilliseconds * 1000 : 0;
            return new Resource { Cpu = (ushort)Math.Clamp(permille, 0, ushort.MaxValue), Rss = (ulong)Math.Max(0, rss) };
        }
        catch (InvalidOperationException)
        {
            return new Resource();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new Resource();
        }
    }
}
