using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Scaler.Benchmarks.Suite;

/// <summary>Renders the suite's figures as a pipe table (printed and written as Markdown) and as JSON.</summary>
public static class ResultTable
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static readonly string[] Columns = ["workload", "figure", "unit", "Scaler.NET", "Dask", "Scaler.NET/Dask", "target"];

    public static string Render(IReadOnlyList<Figure> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var rows = figures.Select(f => new[]
        {
            f.Workload, f.Name, f.Unit, Format(f.Scaler), Format(f.Dask), f.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-", f.Target,
        }).ToList();
        var widths = Columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        AppendRow(text, Columns, widths);
        AppendRow(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    public static string ToJson(IReadOnlyList<Figure> figures, string load) =>
        JsonSerializer.Serialize(
            new { measuredUtc = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture), machine = Environment.MachineName, cores = Environment.ProcessorCount, load, figures },
            JsonOptions);

    public static string ToMarkdown(IReadOnlyList<Figure> figures, string load) =>
        $"# Scaler.NET vs Dask benchmark suite{Environment.NewLine}{Environment.NewLine}" +
        $"Measured {DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture)} on {Environment.ProcessorCount} cores; load: {load}{Environment.NewLine}{Environment.NewLine}" +
        Render(figures);

    public static string Format(double? value) => value switch
    {
        null => "-",
        { } v when double.IsNaN(v) => "-",
        { } v when Math.Abs(v) >= 1000 => v.ToString("N0", CultureInfo.InvariantCulture),
        { } v when Math.Abs(v) >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
        { } v when Math.Abs(v) >= 0.01 || v == 0 => v.ToString("0.000", CultureInfo.InvariantCulture),

        // Below 10 ms a time keeps microseconds: submitting a few hundred tiny tasks takes well under a millisecond.
        { } v => v.ToString("0.000000", CultureInfo.InvariantCulture),
    };

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        }

        text.AppendLine();
    }
}
