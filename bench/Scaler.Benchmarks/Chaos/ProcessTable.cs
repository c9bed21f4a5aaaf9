using System.Globalization;
using System.Text;

namespace Scaler.Benchmarks.Chaos;

/// <summary>Processes read from /proc: who is whose child, what each runs, how much memory it holds.</summary>
internal static class ProcessTable
{
    /// <summary>Every live descendant of <paramref name="root"/> with its command line (arguments joined by spaces).</summary>
    public static IReadOnlyList<(int Pid, string CommandLine)> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Parent(pid) is { } parent)
            {
                parents[pid] = parent;
            }
        }

        var found = new List<(int, string)>();
        foreach (var pid in parents.Keys)
        {
            for (var at = parents[pid]; parents.ContainsKey(at) || at == root; at = parents.GetValueOrDefault(at))
            {
                if (at == root)
                {
                    found.Add((pid, CommandLine(pid)));
                    break;
                }

                if (at <= 1)
                {
                    break;
                }
            }
        }

        return found;
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
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    private static int? Parent(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
