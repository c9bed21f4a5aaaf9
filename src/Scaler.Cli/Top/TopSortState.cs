namespace Scaler.Cli.Top;

/// <summary>
/// The worker table's sort column, chosen with one key per column (as in the reference's top). Pressing the key of
/// the current column flips the direction; a new column starts descending.
/// </summary>
internal sealed record TopSortState(string Column, bool Descending)
{
    public static TopSortState Default { get; } = new("cpu", Descending: true);

    /// <summary>Keys and the worker table columns they sort by, in the order the shortcut line lists them.</summary>
    public static IReadOnlyList<(char Key, string Column)> Shortcuts { get; } =
    [
        ('g', "manager"), ('n', "worker"), ('t', "tasks/s"), ('C', "agt_cpu"), ('M', "agt_rss"), ('c', "cpu"), ('m', "rss"),
        ('F', "os_rss_free"), ('f', "free"), ('w', "sent"), ('d', "queued"), ('s', "suspended"), ('l', "lag"),
    ];

    /// <summary>The state after <paramref name="key"/> was pressed; other keys change nothing.</summary>
    public TopSortState Press(char key)
    {
        foreach (var (shortcut, column) in Shortcuts)
        {
            if (shortcut == key)
            {
                return column == Column ? this with { Descending = !Descending } : new TopSortState(column, Descending: true);
            }
        }

        return this;
    }
}
