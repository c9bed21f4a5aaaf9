using System.Globalization;
using Scaler.Benchmarks.Suite;
using Scaler.EndToEnd.Tests.Support;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// The benchmark suite's harness (bench/Scaler.Benchmarks/Suite) on a tiny size: workloads 1-3 against real
/// scaler-cli processes, then workload 4 (workloads 1 and 2 through the Symphony worker manager on the local SOAM
/// engine, beside baremetal_native), workload 7 (Python tasks through both), no Dask, no object storage or scale
/// workload. Checks the table, not the speed.
/// </summary>
public sealed class BenchmarkHarnessTests
{
    [Theory]
    [InlineData(null, "-")]
    [InlineData(12_345.6, "12,346")]
    [InlineData(12.34, "12.3")]
    [InlineData(0.5, "0.500")]
    [InlineData(0.0, "0.000")]
    [InlineData(0.0004, "0.000400")] // 200 tiny tasks are submitted in well under a millisecond
    public void Format_KeepsSmallTimesPositive(double? value, string expected) =>
        Assert.Equal(expected, ResultTable.Format(value));

    [Fact]
    public async Task Tiny_suite_prints_a_well_formed_table_with_every_figure_measured()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var options = new SuiteOptions
        {
            TinyTasks = 200,
            SleepTasks = 20,
            RoundTrips = 20,
            Repeats = 1,
            MaxWarmups = 2,
            ColdJobs = 2,
            ObjectStorage = false,
            ScaleTasks = 0,
            CliPath = CliProcess.ExecutablePath,
        };
        using var log = new StringWriter();

        var figures = await SuiteRunner.RunAsync(options, log, cts.Token);
        var lines = ResultTable.Render(figures).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(figures.Count + 2, lines.Length);
        Assert.All(lines, line =>
        {
            Assert.StartsWith("|", line, StringComparison.Ordinal);
            Assert.EndsWith("|", line, StringComparison.Ordinal);
            Assert.Equal(ResultTable.Columns.Length + 1, line.Count(c => c == '|'));
            Assert.Equal(lines[0].Length, line.Length);
        });
        Assert.Equal(ResultTable.Columns, Cells(lines[0]));
        Assert.All(Cells(lines[1]), cell => Assert.Matches("^-+$", cell));

        var rows = lines.Skip(2).Select(Cells).ToList();
        foreach (var workload in new[] { "W1", "W2", "W3" })
        {
            var measured = rows.Where(r => r[0].StartsWith(workload, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(measured);
            Assert.All(measured, r => Assert.True(
                double.TryParse(r[3], NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value > 0,
                $"{r[0]} {r[1]}: '{r[3]}' is not a positive number"));
            Assert.All(measured, r => Assert.Equal("-", r[4])); // no Dask in this run
        }

        // Cold: the first and the last job on a fresh stack (native fixed, native dynamic, Symphony), and stack start to first result.
        var cold = rows.Where(r => r[0].StartsWith("W1 cold", StringComparison.Ordinal) || r[0].StartsWith("Stack start", StringComparison.Ordinal)).ToList();
        Assert.Equal(7, cold.Count);
        Assert.All(cold, r => Assert.True(
            double.TryParse(r[3], NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value > 0,
            $"{r[0]} {r[1]}: '{r[3]}' is not a positive number"));

        // W4: W1 and W2 through the Symphony path, the baremetal_native figures beside them, and both ratios.
        var symphony = rows.Where(r => r[0].StartsWith("W4", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, symphony.Count);
        Assert.All(symphony, r => Assert.True(
            double.TryParse(r[3], NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value > 0,
            $"{r[0]} {r[1]}: '{r[3]}' is not a positive number"));
        Assert.Equal(2, symphony.Count(r => r[1] == "symphony / native"));
        var nativeThroughput = rows.Single(r => r[0].StartsWith("W1", StringComparison.Ordinal) && r[1] == "throughput")[3];
        Assert.Equal(nativeThroughput, symphony.Single(r => r[1].StartsWith("throughput, baremetal_native", StringComparison.Ordinal))[3]);
        Assert.DoesNotContain(rows, r => r[0].StartsWith("W6", StringComparison.Ordinal));

        // W7: Python tasks through both managers, the first run on a fresh stack beside the warm figure.
        var python = rows.Where(r => r[0].StartsWith("W7", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["baremetal_native (2), first run on a fresh stack", "baremetal_native (2), warm", "symphony (2), first run on a fresh stack", "symphony (2), warm"],
            python.Select(r => r[1]));
        Assert.All(python, r => Assert.True(
            double.TryParse(r[3], NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value > 0,
            $"{r[0]} {r[1]}: '{r[3]}' is not a positive number"));
    }

    private static string[] Cells(string line) => line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
}
