using System.Globalization;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// CPU time used by a process and all its descendants, read from /proc (Linux only; elsewhere zero). The suite prints
/// it per workload so a figure comes with where its CPU went (client, scheduler, object storage, workers).
/// </summary>
internal static class ProcessTreeCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on every Linux this runs on

    /// <summary>
    /// User + system seconds of each of <paramref name="rootPids"/> with its descendants, exited children included,
    /// from one scan of /proc.
    /// </summary>
    public static double[] Seconds(IReadOnlyList<int> rootPids)
    {
        var totals = new double[rootPids.Count];
        if (!OperatingSystem.IsLinux())
        {
            return totals;
        }

        var stats = new Dictionary<int, (int Parent, double Seconds)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && TryRead(pid, out var parent, out var seconds))
            {
                stats[pid] = (parent, seconds);
            }
        }

        foreach (var (pid, (_, seconds)) in stats)
        {
            for (var at = pid; stats.TryGetValue(at, out var entry); at = entry.Parent)
            {
                var root = IndexOf(rootPids, at);
                if (root >= 0)
                {
                    totals[root] += seconds;
                    break;
                }
            }
        }

        return totals;
    }

    private static int IndexOf(IReadOnlyList<int> pids, int pid)
    {
        for (var i = 0; i < pids.Count; i++)
        {
            if (pids[i] == pid)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Fields 14-17 of /proc/[pid]/stat: utime, stime, cutime, cstime (after the parenthesized command name).</summary>
    private static bool TryRead(int pid, out int parent, out double seconds)
    {
        parent = 0;
        seconds = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 15)
        {
            return false;
        }

        parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
        var ticks = 0L;
        for (var i = 11; i <= 14; i++)
        {
            ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
        }

        seconds = ticks / TicksPerSecond;
        return true;
    }
}
