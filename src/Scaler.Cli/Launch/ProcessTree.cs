using System.Diagnostics;
using System.Globalization;

namespace Scaler.Cli.Launch;

/// <summary>
/// The processes below a process, read from <c>/proc</c> on Linux (elsewhere the list is empty). A child that exits
/// can leave its own children behind (worker processes of a worker manager); the launcher takes this snapshot before it
/// stops a child, so that it can kill whatever the child left running.
/// </summary>
internal static class ProcessTree
{
    /// <summary>A process as seen once: its id and its start time in clock ticks since boot, which tells a reused id apart.</summary>
    internal readonly record struct ProcessStamp(int Id, ulong StartTicks);

    public static IReadOnlyList<ProcessStamp> Descendants(int rootId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var childrenOf = new Dictionary<int, List<ProcessStamp>>();
        foreach (var directory in SafeEnumerate())
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                && TryReadStat(id, out var parent, out var start))
            {
                if (!childrenOf.TryGetValue(parent, out var list))
                {
                    childrenOf[parent] = list = [];
                }

                list.Add(new ProcessStamp(id, start));
            }
        }

        var result = new List<ProcessStamp>();
        var pending = new Queue<int>([rootId]);
        while (pending.TryDequeue(out var current))
        {
            if (childrenOf.TryGetValue(current, out var children))
            {
                foreach (var child in children.Where(c => result.All(r => r.Id != c.Id)))
                {
                    result.Add(child);
                    pending.Enqueue(child.Id);
                }
            }
        }

        return result;
    }

    /// <summary>True while the process exists, is the same one (same start time) and is not a zombie.</summary>
    public static bool IsRunning(ProcessStamp stamp) =>
        TryReadStat(stamp.Id, out _, out var start, out var state) && start == stamp.StartTicks && state != 'Z' && state != 'X';

    /// <summary>Kills each process of the snapshot that is still the same running process.</summary>
    public static void KillSurvivors(IEnumerable<ProcessStamp> stamps)
    {
        foreach (var stamp in stamps.Where(IsRunning))
        {
            try
            {
                using var process = Process.GetProcessById(stamp.Id);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It exited between the check and the kill: nothing left to do.
            }
        }
    }

    private static string[] SafeEnumerate()
    {
        try
        {
            return Directory.GetDirectories("/proc");
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool TryReadStat(int id, out int parent, out ulong startTicks) => TryReadStat(id, out parent, out startTicks, out _);

    // /proc/<id>/stat is "pid (comm) state ppid ... starttime ...": comm may hold spaces and parentheses, so the fields
    // are counted from the last ')'. After it come state (field 3), ppid (4) ... starttime (22).
    private static bool TryReadStat(int id, out int parent, out ulong startTicks, out char state)
    {
        parent = 0;
        startTicks = 0;
        state = '?';
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{id.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int StateField = 0, ParentField = 1, StartField = 19;
        if (fields.Length <= StartField
            || !int.TryParse(fields[ParentField], NumberStyles.None, CultureInfo.InvariantCulture, out parent)
            || !ulong.TryParse(fields[StartField], NumberStyles.None, CultureInfo.InvariantCulture, out startTicks))
        {
            return false;
        }

        state = fields[StateField][0];
        return true;
    }
}
