using System.Text;

namespace Scaler.Cli.Top;

/// <summary>
/// Rows of text cells, the first being the header. Tables are put side by side with a separator column, and printed
/// with every column right-aligned to its widest cell and one space between columns.
/// </summary>
internal sealed class TextTable
{
    private readonly List<string[]> _rows;

    public TextTable(IEnumerable<string[]> rows)
    {
        _rows = [.. rows];
        ColumnCount = _rows.Count == 0 ? 0 : _rows.Max(r => r.Length);
    }

    public int ColumnCount { get; }

    public IReadOnlyList<string[]> Rows => _rows;

    /// <summary>A two-column table: the title and an empty cell, then one row per key and value.</summary>
    public static TextTable KeyValues(string title, IEnumerable<(string Key, string Value)> entries) =>
        new([[title, ""], .. entries.Select(e => new[] { e.Key, e.Value })]);

    /// <summary>This table, a column holding <paramref name="separator"/>, then <paramref name="right"/>; the shorter side is padded.</summary>
    public TextTable Beside(TextTable right, string separator)
    {
        ArgumentNullException.ThrowIfNull(right);
        var rows = new List<string[]>();
        for (var index = 0; index < Math.Max(_rows.Count, right._rows.Count); index++)
        {
            rows.Add([.. Cells(this, index), separator, .. Cells(right, index)]);
        }

        return new TextTable(rows);
    }

    /// <summary>The printed lines, and the full width (columns plus one space after each), which the ruler uses.</summary>
    public (IReadOnlyList<string> Lines, int Width) Render()
    {
        var widths = new int[ColumnCount];
        foreach (var row in _rows)
        {
            for (var column = 0; column < row.Length; column++)
            {
                widths[column] = Math.Max(widths[column], row[column].Length);
            }
        }

        var lines = new List<string>(_rows.Count);
        var line = new StringBuilder();
        foreach (var row in _rows)
        {
            line.Clear();
            for (var column = 0; column < ColumnCount; column++)
            {
                if (column > 0)
                {
                    line.Append(' ');
                }

                line.Append((column < row.Length ? row[column] : "").PadLeft(widths[column]));
            }

            lines.Add(line.ToString().TrimEnd());
        }

        return (lines, widths.Sum() + widths.Length);
    }

    private static IEnumerable<string> Cells(TextTable table, int index) =>
        index < table._rows.Count
            ? table._rows[index].Concat(Enumerable.Repeat("", table.ColumnCount - table._rows[index].Length))
            : Enumerable.Repeat("", table.ColumnCount);
}
