using System.Globalization;

namespace Scaler.Testing;

/// <summary>
/// The processes below a process, read from /proc (Linux), each with its start time so that a reused process ID is
/// never taken for the process noted. Tests note a tree, kill its root, and wait, bounded, for the rest to end; the
/// chaos soak (bench) does the same and samples resident sets.
/// </summary>
internal static class ProcessTable
{
    /// <summary>One process as noted: its ID and its start time (clock ticks since boot).</summary>
    public readonly record struct Entry(int Pid, long StartTime, string CommandLine);

    /// <summary>Every process below <paramref name="root"/> now (children, their children, ...).</summary>
    public static IReadOnlyList<Entry> DescendantsOf(int root)
    {
        var parentOf = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && TryRead(pid) is { } stat)
            {
                parentOf[pid] = stat.ParentPid;
            }
        }

        var found = new List<Entry>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, ppid) in parentOf)
            {
                if (ppid == parent && TryRead(pid) is { } stat)
                {
                    found.Add(new Entry(pid, stat.StartTime, CommandLine(pid)));
                    frontier.Enqueue(pid);
                }
            }
        }

        return found;
    }

    /// <summary>The parent process ID of <paramref name="pid"/>.</summary>
    public static int ParentOf(int pid) => TryRead(pid)?.ParentPid ?? throw new InvalidOperationException($"process {pid} is gone");

    /// <summary>True while the process noted runs (a zombie has ended: only its exit status is left).</summary>
    public static bool IsRunning(Entry entry) =>
        TryRead(entry.Pid) is { } stat && stat.StartTime == entry.StartTime && stat.State != 'Z' && stat.State != 'X';

    /// <summary>Waits until none of <paramref name="entries"/> runs; fails naming the survivors after <paramref name="bound"/>.</summary>
    public static async Task WaitAllEndedAsync(IReadOnlyCollection<Entry> entries, TimeSpan bound)
    {
        using var cts = new CancellationTokenSource(bound);
        while (entries.Where(IsRunning).ToList() is { Count: > 0 } running)
        {
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"still running {bound.TotalSeconds} s later: {string.Join("; ", running.Select(e => $"{e.Pid} {e.CommandLine}"))}");
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> processes whose command line contains <paramref name="text"/> run below <paramref name="root"/>.</summary>
    public static async Task<IReadOnlyList<Entry>> WaitForDescendantsAsync(int root, string text, int count, TimeSpan bound)
    {
        using var cts = new CancellationTokenSource(bound);
        while (true)
        {
            var all = DescendantsOf(root);
            if (all.Count(e => e.CommandLine.Contains(text, StringComparison.Ordinal)) >= count)
            {
                return all;
            }

            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"fewer than {count} processes '{text}' below {root} within {bound.TotalSeconds} s: {string.Join("; ", all.Select(e => e.CommandLine))}");
            }
        }
    }

    /// <summary>CPU time the process noted has used so far (user + system), in clock ticks (1/100 s on Linux).</summary>
    public static long CpuTicks(Entry entry)
    {
        if (!IsRunning(entry))
        {
            return 0;
        }

        var text = File.ReadAllText($"/proc/{entry.Pid}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>VmRSS of <paramref name="pid"/> in bytes, or 0 when it is gone.</summary>
    public static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return 0;
    }

    private static (char State, int ParentPid, long StartTime)? TryRead(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may hold spaces and parentheses: the fields that follow start after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
