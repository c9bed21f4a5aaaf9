using Scaler.Cli.Top;

namespace Scaler.Cli.Tests.Top;

/// <summary>The layout at the widths of real terminals: nothing longer than a line may hold, no value cut.</summary>
public sealed class TopViewWidthTests
{
    private static readonly TopRates Rates = new(1_234.4, 2.5, new Dictionary<string, double>(StringComparer.Ordinal) { ["worker-high"] = 12 });

    private static string[] Lines(string text) => text.Split(Environment.NewLine);

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The frame for a terminal of <paramref name="columns"/> columns, as the console screen lays it out.</summary>
    private static string Frame(int columns, TopSortState? sort = null) =>
        TopView.Render(SampleStates.Busy(), sort ?? TopSortState.Default, Rates, columns - 1);

    private static string[] WorkerHeader(string frame)
    {
        var lines = Lines(frame);
        return Cells(lines[Array.FindIndex(lines, l => l.StartsWith("Total ", StringComparison.Ordinal)) + 1]);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(80)]
    [InlineData(120)]
    public void Render_NoLineIsLongerThanTheTerminalAllowsSoTheScreenCutsNothing(int columns)
    {
        var frame = Frame(columns);

        Assert.All(Lines(frame), line => Assert.True(line.Length <= columns - 1, $"{line.Length} characters at {columns}: {line}"));
        Assert.Equal(frame, ConsoleTopScreen.FitToWindow(frame, columns, height: 0));
    }

    [Theory]
    [InlineData(60)]
    [InlineData(80)]
    [InlineData(120)]
    public void Render_EveryValueIsWholeWhateverTheWidth(int columns)
    {
        var frame = Frame(columns);
        var lines = Lines(frame);
        var header = WorkerHeader(frame);
        var low = Cells(Array.Find(lines, l => l.Contains("worker-low", StringComparison.Ordinal))!);

        // worker-low's lag has no space in it: one cell per column, so no column lost a value or gained a piece.
        Assert.Equal(header.Length, low.Length);
        foreach (var whole in new[] { "num_of_objs 42", "running 1,234", "TaskMessage 12,345", "HeartbeatMessage 678", "tasks/s 1,234", "submit/s 2.5" })
        {
            Assert.Contains(lines, l => string.Join(' ', Cells(l)).Contains(whole, StringComparison.Ordinal));
        }

        Assert.Contains("Client|0123456789a+", frame, StringComparison.Ordinal);
        Assert.Contains("90.0%", frame, StringComparison.Ordinal);
        Assert.Contains("12.0", frame, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("Shortcuts: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("lag[l]", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_NarrowerTerminalsDropColumnsInTheWrittenOrderAndKeepTheRest()
    {
        var wide = WorkerHeader(Frame(200));
        var at120 = WorkerHeader(Frame(120));
        var at80 = WorkerHeader(Frame(80));
        var at60 = WorkerHeader(Frame(60));

        // At 200 everything fits, the clients beside the workers.
        Assert.Equal(["manager", "worker", "tasks/s", "agt_cpu", "agt_rss", "[cpu]", "rss", "os_rss_free", "free", "sent", "queued", "suspended", "lag", "ITL", "|", "client_manager"], wide);
        Assert.True(at120.Length <= wide.Length);
        Assert.True(at80.Length < at120.Length);
        Assert.True(at60.Length <= at80.Length);
        foreach (var header in new[] { at120, at80, at60 })
        {
            // What is left is the full set minus a prefix of the drop order, in the original order.
            var dropped = wide.Except(header).Where(c => c is not "|" and not "client_manager").ToArray();
            Assert.Equal(TopView.WorkerDropOrder.Take(dropped.Length), dropped.OrderBy(c => IndexIn(TopView.WorkerDropOrder, c)));
            Assert.Equal(wide.Where(header.Contains), header);
            Assert.Contains("worker", header);
            Assert.Contains("tasks/s", header);
            Assert.Contains("[cpu]", header);
            Assert.Contains("queued", header);
        }

        // At 80 the clients no longer fit beside the workers: they follow below.
        Assert.DoesNotContain("client_manager", at80);
        Assert.Contains(Lines(Frame(80)), l => Cells(l) is ["client_manager"]);
    }

    [Fact]
    public void Render_TheSortColumnIsNeverDropped()
    {
        var byAgentRss = TopSortState.Default.Press('M');

        var header = WorkerHeader(Frame(60, byAgentRss));

        Assert.Contains("[agt_rss]", header);
        Assert.DoesNotContain("ITL", header);
    }

    [Fact]
    public void Render_WithoutAWidthKeepsTheFullLayout() =>
        Assert.Equal(TopView.Render(SampleStates.Busy(), TopSortState.Default, Rates, 0), TopView.Render(SampleStates.Busy(), TopSortState.Default, Rates, 10_000));

    [Fact]
    public void Render_ShowsTheRatesOfTheSchedulerAndOfEachWorker()
    {
        var lines = Lines(Frame(200));
        var low = Cells(Array.Find(lines, l => l.Contains("worker-low", StringComparison.Ordinal))!);
        var high = Cells(Array.Find(lines, l => l.Contains("worker-high", StringComparison.Ordinal))!);

        Assert.Equal(["tasks/s", "1,234", "|", "|", "|", "|"], Cells(lines[4]));
        Assert.Equal(["submit/s", "2.5", "|", "|", "|", "|"], Cells(lines[5]));
        // worker-low finished nothing in the interval: 0, not unknown.
        Assert.Equal("0.0", low[2]);
        Assert.Equal("12.0", high[2]);
    }

    private static int IndexIn(IReadOnlyList<string> list, string item)
    {
        for (var index = 0; index < list.Count; index++)
        {
            if (list[index] == item)
            {
                return index;
            }
        }

        return -1;
    }
}
