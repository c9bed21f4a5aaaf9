using System.Globalization;
using System.Text;
using Scaler.Protocol.Messages;

namespace Scaler.Cli.Top;

/// <summary>
/// Turns the scheduler's last <see cref="StateScheduler"/> into the text <c>scaler_top</c> shows: the scheduler's own
/// figures, object and task counts and binder counters side by side; a ruler and the sort shortcuts; then one row per
/// worker beside the tasks per client; then the worker managers. A pure function, so it can be tested on its own.
/// </summary>
internal static class TopView
{
    private const int ManagerWidth = 10;
    private const int WorkerWidth = 20;
    private const int ClientWidth = 18;

    /// <summary>A worker whose last contact is older than this shows its age before its lag.</summary>
    private const int StaleAfterSeconds = 5;

    public static string Render(StateScheduler state, TopSortState sort)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(sort);
        var summary = SchedulerTable(state)
            .Beside(TextTable.KeyValues("object_manager", [("num_of_objs", state.ObjectManager.NumberOfObjects.ToString(CultureInfo.InvariantCulture))]), "|")
            .Beside(TaskTable(state.TaskManager), "|")
            .Beside(TextTable.KeyValues("scheduler_sent", state.Binder.Sent.Select(p => (p.Client, TopFormat.Integer(p.Number)))), "|")
            .Beside(TextTable.KeyValues("scheduler_received", state.Binder.Received.Select(p => (p.Client, TopFormat.Integer(p.Number)))), "|");

        var text = new StringBuilder();
        var (summaryLines, width) = summary.Render();
        AppendLines(text, summaryLines);
        text.Append('-', width).AppendLine();
        text.Append("Shortcuts: ").AppendJoin(' ', TopSortState.Shortcuts.Select(s => $"{s.Column}[{s.Key}]")).AppendLine();
        text.AppendLine();

        var pending = state.ScalingManager.WorkerManagerDetails.Sum(d => (long)d.PendingWorkers);
        text.Append(CultureInfo.InvariantCulture, $"Total {state.ScalingManager.ManagedWorkers.Count} manager(s) with {state.WorkerManager.Workers.Count} worker(s)");
        text.AppendLine(pending > 0 ? string.Create(CultureInfo.InvariantCulture, $", {pending} pending") : "");

        var workers = WorkerTable(state, sort).Beside(ClientTable(state.ClientManager), "|");
        AppendLines(text, workers.Render().Lines);

        if (state.ScalingManager.WorkerManagerDetails.Count > 0)
        {
            text.AppendLine();
            AppendLines(text, ManagerDetailTable(state.ScalingManager).Render().Lines);
        }

        return text.ToString();
    }

    private static TextTable SchedulerTable(StateScheduler state) => TextTable.KeyValues(
        "scheduler",
        [
            ("cpu", TopFormat.Percentage(state.Scheduler.Cpu)),
            ("rss", TopFormat.Bytes(state.Scheduler.Rss)),
            ("rss_free", TopFormat.Bytes(state.RssFree)),
        ]);

    private static TextTable TaskTable(TaskManagerStatus tasks) => TextTable.KeyValues(
        "task_manager",
        tasks.StateToCount
            .Select(p => (Name: TaskStateName(p.State), p.Count))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => (p.Name, TopFormat.Integer(p.Count))));

    private static TextTable ClientTable(ClientManagerStatus clients) => TextTable.KeyValues(
        "client_manager",
        clients.ClientToNumOfTask.Select(p => (TopFormat.Truncate(Text(p.Client), ClientWidth), p.NumTask.ToString(CultureInfo.InvariantCulture))));

    private static TextTable WorkerTable(StateScheduler state, TopSortState sort)
    {
        if (state.WorkerManager.Workers.Count == 0)
        {
            return new TextTable([["No workers"]]);
        }

        var managerOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var managed in state.ScalingManager.ManagedWorkers)
        {
            foreach (var worker in managed.WorkerIDs)
            {
                managerOf[Text(worker)] = Text(managed.WorkerManagerID);
            }
        }

        var rows = state.WorkerManager.Workers.Select(w => WorkerRow.From(w, managerOf.GetValueOrDefault(Text(w.WorkerId), "")));
        var ordered = sort.Descending
            ? rows.OrderByDescending(r => r.SortKey(sort.Column))
            : rows.OrderBy(r => r.SortKey(sort.Column));
        var header = WorkerRow.Columns.Select(c => c == sort.Column ? $"[{c}]" : c).ToArray();
        return new TextTable([header, .. ordered.Select(r => r.Cells())]);
    }

    private static TextTable ManagerDetailTable(ScalingManagerStatus scaling) => new(
    [
        ["worker_manager", "identity", "last_seen", "max_tasks", "pending", "capabilities"],
        .. scaling.WorkerManagerDetails.Select(d => new[]
        {
            TopFormat.Truncate(Text(d.WorkerManagerID), WorkerWidth),
            d.Identity,
            TopFormat.Seconds(d.LastSeenS),
            d.MaxTaskConcurrency.ToString(CultureInfo.InvariantCulture),
            d.PendingWorkers.ToString(CultureInfo.InvariantCulture),
            d.Capabilities,
        }),
    ]);

    private static string TaskStateName(byte state) => Enum.IsDefined((TaskState)state)
        ? JsonStyleName(((TaskState)state).ToString())
        : state.ToString(CultureInfo.InvariantCulture);

    // The reference prints the schema's enumerant names, which start lower-case (balanceCanceling).
    private static string JsonStyleName(string name) => string.Concat(name[..1].ToLowerInvariant(), name.AsSpan(1));

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static void AppendLines(StringBuilder text, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            text.AppendLine(line);
        }
    }

    private sealed record WorkerRow(
        string Manager, string Worker, ulong AgentCpu, ulong AgentRss, ulong Cpu, ulong Rss, ulong RssFree,
        uint Free, uint Sent, uint Queued, byte Suspended, ulong LagMicroseconds, ushort LastSeconds, string Itl)
    {
        public static IReadOnlyList<string> Columns { get; } =
            ["manager", "worker", "agt_cpu", "agt_rss", "cpu", "rss", "os_rss_free", "free", "sent", "queued", "suspended", "lag", "ITL"];

        public static WorkerRow From(WorkerStatus worker, string manager) => new(
            manager,
            Text(worker.WorkerId),
            worker.Agent.Cpu,
            worker.Agent.Rss,
            worker.ProcessorStatuses.Aggregate(0UL, (sum, p) => sum + p.Resource.Cpu),
            worker.ProcessorStatuses.Aggregate(0UL, (sum, p) => sum + p.Resource.Rss),
            worker.RssFree,
            worker.Free,
            worker.Sent,
            worker.Queued,
            worker.Suspended,
            worker.LagUS,
            worker.LastS,
            worker.Itl);

        public IComparable SortKey(string column) => column switch
        {
            "manager" => Manager,
            "worker" => Worker,
            "agt_cpu" => AgentCpu,
            "agt_rss" => AgentRss,
            "rss" => Rss,
            "os_rss_free" => RssFree,
            "free" => Free,
            "sent" => Sent,
            "queued" => Queued,
            "suspended" => Suspended,
            "lag" => LagMicroseconds,
            _ => Cpu,
        };

        public string[] Cells() =>
        [
            TopFormat.Truncate(Manager, ManagerWidth),
            TopFormat.Truncate(Worker, WorkerWidth),
            TopFormat.Percentage(AgentCpu),
            TopFormat.Bytes(AgentRss),
            TopFormat.Percentage(Cpu),
            TopFormat.Bytes(Rss),
            TopFormat.Bytes(RssFree),
            Free.ToString(CultureInfo.InvariantCulture),
            Sent.ToString(CultureInfo.InvariantCulture),
            Queued.ToString(CultureInfo.InvariantCulture),
            Suspended.ToString(CultureInfo.InvariantCulture),
            (LastSeconds > StaleAfterSeconds ? $"({TopFormat.Seconds(LastSeconds)}) " : "") + TopFormat.Microseconds(LagMicroseconds),
            Itl,
        ];
    }
}
