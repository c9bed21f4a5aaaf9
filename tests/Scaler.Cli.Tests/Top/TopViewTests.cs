using Scaler.Cli.Top;
using Scaler.Protocol.Messages;

namespace Scaler.Cli.Tests.Top;

public sealed class TopViewTests
{
    private static string[] Lines(string text) => text.Split(Environment.NewLine);

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Render_SummaryRowsHoldSchedulerTaskAndBinderFigures()
    {
        var lines = Lines(TopView.Render(SampleStates.Busy(), TopSortState.Default));

        Assert.Equal(["scheduler", "|", "object_manager", "|", "task_manager", "|", "scheduler_sent", "|", "scheduler_received"], Cells(lines[0]));
        // Task states are listed by name, as the reference sorts them; the figures come from the hand-built state.
        Assert.Equal(["cpu", "12.5%", "|", "num_of_objs", "42", "|", "balanceCanceling", "2", "|", "TaskMessage", "12,345", "|", "HeartbeatMessage", "678"], Cells(lines[1]));
        Assert.Equal(["rss", "3.0M", "|", "|", "inactive", "5", "|", "|"], Cells(lines[2]));
        Assert.Equal(["rss_free", "8.0G", "|", "|", "running", "1,234", "|", "|"], Cells(lines[3]));
        // No rates before a second snapshot.
        Assert.Equal(["tasks/s", "-", "|", "|", "|", "|"], Cells(lines[4]));
        Assert.Equal(["submit/s", "-", "|", "|", "|", "|"], Cells(lines[5]));
        Assert.Matches("^-+$", lines[6]);
        Assert.StartsWith("Shortcuts: manager[g] worker[n] tasks/s[t] agt_cpu[C]", lines[7], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WorkersAreSortedByCpuDescendingWithTheirManagerAndClientsBeside()
    {
        var lines = Lines(TopView.Render(SampleStates.Busy(), TopSortState.Default));
        var total = Array.FindIndex(lines, l => l.StartsWith("Total ", StringComparison.Ordinal));

        Assert.Equal("Total 1 manager(s) with 2 worker(s), 3 pending", lines[total]);
        Assert.Equal(
            ["manager", "worker", "tasks/s", "agt_cpu", "agt_rss", "[cpu]", "rss", "os_rss_free", "free", "sent", "queued", "suspended", "lag", "ITL", "|", "client_manager"],
            Cells(lines[total + 1]));
        // worker-high: processors at 90.0% + 0.0%, 2 x 1 MiB; 65 s since its last contact is shown before its 2 s lag.
        Assert.Equal(
            ["wm-native", "worker-high", "-", "1.0%", "2K", "90.0%", "2.0M", "4.0G", "3", "7", "4", "0", "(1m5s)", "2s", "1110", "|", "Client|0123456789a+", "9"],
            Cells(lines[total + 2]));
        Assert.Equal(["wm-native", "worker-low", "-", "1.0%", "2K", "10.0%", "2.0M", "4.0G", "3", "7", "1", "0", "1ms", "1110", "|"], Cells(lines[total + 3]));
    }

    [Fact]
    public void Render_SortKeyReordersWorkersAndMarksTheColumn()
    {
        var byWorkerDescending = TopSortState.Default.Press('n');
        var byWorkerAscending = byWorkerDescending.Press('n');

        var descending = TopView.Render(SampleStates.Busy(), byWorkerDescending);
        var ascending = TopView.Render(SampleStates.Busy(), byWorkerAscending);

        Assert.Contains("[worker]", descending, StringComparison.Ordinal);
        Assert.True(descending.IndexOf("worker-low", StringComparison.Ordinal) < descending.IndexOf("worker-high", StringComparison.Ordinal));
        Assert.True(ascending.IndexOf("worker-high", StringComparison.Ordinal) < ascending.IndexOf("worker-low", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_ListsWorkerManagerDetails()
    {
        var lines = Lines(TopView.Render(SampleStates.Busy(), TopSortState.Default));
        var header = Array.FindIndex(lines, l => l.TrimStart().StartsWith("worker_manager ", StringComparison.Ordinal));

        Assert.True(header > 0);
        Assert.Equal(["wm-native", "wm-native|abc", "3s", "8", "3", "gpu"], Cells(lines[header + 1]));
    }

    [Fact]
    public void Render_EmptySchedulerSaysNoWorkers()
    {
        var text = TopView.Render(new StateScheduler(), TopSortState.Default);

        Assert.Contains("Total 0 manager(s) with 0 worker(s)" + Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Contains("No workers", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pending", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SortState_NewColumnStartsDescendingAndSameKeyFlips()
    {
        var state = TopSortState.Default.Press('d');
        Assert.Equal(new TopSortState("queued", true), state);
        Assert.Equal(new TopSortState("queued", false), state.Press('d'));
        Assert.Equal(state, state.Press('x'));
    }
}
