using System.Globalization;

namespace Scaler.Worker.Agent;

/// <summary>
/// The memory ceiling this process runs under and what is left of it, as the heartbeat's <c>memLimit</c> and
/// <c>rssFree</c>: the cgroup limit when there is one, otherwise the machine's total and available memory.
/// </summary>
internal static class SystemMemory
{
    public static (ulong Limit, ulong Available) Read()
    {
        var cgroup = ReadCgroup();
        if (cgroup is { } c)
        {
            return (c.Limit, c.Limit > c.Usage ? c.Limit - c.Usage : 0);
        }

        var meminfo = ReadMeminfo();
        if (meminfo is { } m)
        {
            return m;
        }

        var info = GC.GetGCMemoryInfo();
        var total = (ulong)Math.Max(0, info.TotalAvailableMemoryBytes);
        var load = (ulong)Math.Max(0, info.MemoryLoadBytes);
        return (total, total > load ? total - load : 0);
    }

    private static (ulong Limit, ulong Usage)? ReadCgroup()
    {
        var limit = ReadNumber("/sys/fs/cgroup/memory.max") ?? ReadNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        var usage = ReadNumber("/sys/fs/cgroup/memory.current") ?? ReadNumber("/sys/fs/cgroup/memory/memory.usage_in_bytes");
        if (limit is not { } l || usage is not { } u)
        {
            return null;
        }

        // cgroup v1 reports "no limit" as a huge number; anything beyond the machine's memory is no limit.
        var machine = ReadMeminfo()?.Limit ?? ulong.MaxValue;
        return l >= machine ? null : (l, u);
    }

    private static ulong? ReadNumber(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var text = File.ReadAllText(path).Trim();
            return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (ulong Limit, ulong Available)? ReadMeminfo()
    {
        try
        {
            if (!File.Exists("/proc/meminfo"))
            {
                return null;
            }

            ulong? total = null;
            ulong? available = null;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    total = ParseKilobytes(line);
                }
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    available = ParseKilobytes(line);
                }
            }

            return total is { } t && available is { } a ? (t, a) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static ulong? ParseKilobytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
            ? kb * 1024
            : null;
    }
}
