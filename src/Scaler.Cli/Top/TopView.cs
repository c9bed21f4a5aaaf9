using System.Globalization;
using System.Text;
using Scaler.Protocol.Messages;

namespace Scaler.Cli.Top;

/// <summary>
/// Turns the scheduler's last <see cref="StateScheduler"/> into the text <c>scaler_top</c> shows: the scheduler's own
/// figures, object and task counts and binder counters side by side; a ruler and the sort shortcuts; then one row per
/// worker beside the tasks per client; then the worker managers. A pure function, so it can be tested on its own.
/// </summary>
/// <remarks>
/// Given a width, no line is longer and no value is cut; the layout gives way in this order (docs/launcher.md):
/// the summary tables that do not fit beside the ones before them start a new band below; the shortcut line wraps
/// between entries; the client table moves from beside the worker table to below it; worker columns are dropped
/// (<see cref="WorkerDropOrder"/>, never the sort column); worker and manager names are shortened to
/// <see cref="NarrowNameWidth"/> characters (marked "+"); worker manager columns are dropped
/// (<see cref="ManagerDropOrder"/>). What is left then is not narrowed further: the screen cuts it at the window.
/// </remarks>
internal static class TopView
{
    private const int ManagerWidth = 10;
    private const int WorkerWidth = 20;
    private const int ClientWidth = 18;
    private const int NarrowNameWidth = 10;
    private const string ShortcutsLead = "Shortcuts: ";

    /// <summary>A worker whose last contact is older than this shows its age before its lag.</summary>
    private const int StaleAfterSeconds = 5;

    /// <summary>Worker columns dropped first when the table is too wide; the ones not listed always stay.</summary>
    public static IReadOnlyList<string> WorkerDropOrder { get; } =
        ["ITL", "agt_rss", "agt_cpu", "os_rss_free", "suspended", "manager", "rss", "sent", "lag"];

    /// <summary>Worker manager columns dropped when that table is too wide.</summary>
    public static IReadOnlyList<string> ManagerDropOrder { get; } = ["identity", "capabilities", "last_seen", "pending"];

    private static readonly IReadOnlyList<string> ManagerColumns =
        ["worker_manager", "identity", "last_seen", "max_tasks", "pending", "capabilities"];

    public static string Render(StateScheduler state, TopSortState sort) => Render(state, sort, TopRates.Unknown, width: 0);

    /// <param name="width">Characters a line may hold; 0 for no limit.</param>
    public static string Render(StateScheduler state, TopSortState sort, TopRates rates, int width)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(sort);
        ArgumentNullException.ThrowIfNull(rates);
        var text = new StringBuilder();
        var rulerWidth = 0;
        foreach (var band in SummaryBands(state, rates, width))
        {
            var (lines, bandWidth) = band.Render();
            AppendLines(text, lines);
            rulerWidth = Math.Max(rulerWidth, bandWidth);
        }

        text.Append('-', width > 0 ? Math.Min(rulerWidth, width) : rulerWidth).AppendLine();
        AppendLines(text, Wrap(ShortcutsLead, TopSortState.Shortcuts.Select(s => $"{s.Column}[{s.Key}]"), width));
        text.AppendLine();

        var pending = state.ScalingManager.WorkerManagerDetails.Sum(d => (long)d.PendingWorkers);
        text.Append(CultureInfo.InvariantCulture, $"Total {state.ScalingManager.ManagedWorkers.Count} manager(s) with {state.WorkerManager.Workers.Count} worker(s)");
        text.AppendLine(pending > 0 ? string.Create(CultureInfo.InvariantCulture, $", {pending} pending") : "");
        AppendWorkersAndClients(text, state, sort, rates, width);

        if (state.ScalingManager.WorkerManagerDetails.Count > 0)
        {
            text.AppendLine();
            var table = Narrowed(
                columns => ManagerDetailTable(state.ScalingManager, columns, WorkerWidth),
                columns => ManagerDetailTable(state.ScalingManager, columns, NarrowNameWidth),
                ManagerColumns,
                ManagerDropOrder,
                keep: null,
                width);
            AppendLines(text, table.Render().Lines);
        }

        return text.ToString();
    }

    /// <summary>The summary tables, side by side in as few bands as the width allows, in their order.</summary>
    private static List<TextTable> SummaryBands(StateScheduler state, TopRates rates, int width)
    {
        TextTable[] tables =
        [
            SchedulerTable(state, rates),
            TextTable.KeyValues("object_manager", [("num_of_objs", state.ObjectManager.NumberOfObjects.ToString(CultureInfo.InvariantCulture))]),
            TaskTable(state.TaskManager),
            TextTable.KeyValues("scheduler_sent", state.Binder.Sent.Select(p => (p.Client, TopFormat.Integer(p.Number)))),
            TextTable.KeyValues("scheduler_received", state.Binder.Received.Select(p => (p.Client, TopFormat.Integer(p.Number)))),
        ];
        var bands = new List<TextTable>();
        var band = tables[0];
        foreach (var table in tables.Skip(1))
        {
            var joined = band.Beside(table, "|");
            if (Fits(joined, width))
            {
                band = joined;
            }
            else
            {
                bands.Add(band);
                band = table;
            }
        }

        bands.Add(band);
        return bands;
    }

    private static void AppendWorkersAndClients(StringBuilder text, StateScheduler state, TopSortState sort, TopRates rates, int width)
    {
        var clients = ClientTable(state.ClientManager);
        var workers = WorkerTable(state, sort, rates, WorkerRow.Columns, WorkerWidth, ManagerWidth);
        var beside = workers.Beside(clients, "|");
        if (Fits(beside, width))
        {
            AppendLines(text, beside.Render().Lines);
            return;
        }

        workers = Narrowed(
            columns => WorkerTable(state, sort, rates, columns, WorkerWidth, ManagerWidth),
            columns => WorkerTable(state, sort, rates, columns, NarrowNameWidth, NarrowNameWidth),
            WorkerRow.Columns,
            WorkerDropOrder,
            sort.Column,
            width);
        AppendLines(text, workers.Render().Lines);
        text.AppendLine();
        AppendLines(text, clients.Render().Lines);
    }

    /// <summary>
    /// The table built from all <paramref name="columns"/>, else with the ones in <paramref name="dropOrder"/> left out
    /// one by one (never <paramref name="keep"/>) until it fits, else also with short names, else as narrow as it gets.
    /// </summary>
    private static TextTable Narrowed(
        Func<IReadOnlyList<string>, TextTable> build,
        Func<IReadOnlyList<string>, TextTable> buildShort,
        IReadOnlyList<string> columns,
        IReadOnlyList<string> dropOrder,
        string? keep,
        int width)
    {
        var kept = columns.ToList();
        var table = build(kept);
        var drops = dropOrder.Where(c => c != keep).ToList();
        var next = 0;
        while (!Fits(table, width))
        {
            if (next < drops.Count)
            {
                kept.Remove(drops[next++]);
                table = build(kept);
            }
            else
            {
                return buildShort(kept);
            }
        }

        return table;
    }

    // Render's width counts a space after the last column, which the printed line does not have.
    private static bool Fits(TextTable table, int width) => width <= 0 || table.Render().Width - 1 <= width;

    /// <summary><paramref name="lead"/> then the entries separated by spaces, wrapped between entries to the width.</summary>
    private static List<string> Wrap(string lead, IEnumerable<string> entries, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder(lead);
        var empty = true;
        foreach (var entry in entries)
        {
            if (!empty && width > 0 && line.Length + 1 + entry.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear().Append(' ', lead.Length);
                empty = true;
            }

            if (!empty)
            {
                line.Append(' ');
            }

            line.Append(entry);
            empty = false;
        }

        lines.Add(line.ToString());
        return lines;
    }

    private static TextTable SchedulerTable(StateScheduler state, TopRates rates) => TextTable.KeyValues(
        "scheduler",
        [
            ("cpu", TopFormat.Percentage(state.Scheduler.Cpu)),
            ("rss", TopFormat.Bytes(state.Scheduler.Rss)),
            ("rss_free", TopFormat.Bytes(state.RssFree)),
            ("tasks/s", TopFormat.Rate(rates.ResultsPerSecond)),
            ("submit/s", TopFormat.Rate(rates.SubmittedPerSecond)),
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

    private static TextTable WorkerTable(
        StateScheduler state, TopSortState sort, TopRates rates, IReadOnlyList<string> columns, int workerWidth, int managerWidth)
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

        var rows = state.WorkerManager.Workers.Select(w =>
        {
            var name = Text(w.WorkerId);
            return WorkerRow.From(w, managerOf.GetValueOrDefault(name, ""), rates.OfWorker(name));
        });
        var ordered = sort.Descending
            ? rows.OrderByDescending(r => r.SortKey(sort.Column))
            : rows.OrderBy(r => r.SortKey(sort.Column));
        var header = columns.Select(c => c == sort.Column ? $"[{c}]" : c).ToArray();
        return new TextTable([header, .. ordered.Select(r => columns.Select(c => r.Cell(c, workerWidth, managerWidth)).ToArray())]);
    }

    private static TextTable ManagerDetailTable(ScalingManagerStatus scaling, IReadOnlyList<string> columns, int nameWidth) => new(
    [
        [.. columns],
        .. scaling.WorkerManagerDetails.Select(d => columns.Select(column => column switch
        {
            "worker_manager" => TopFormat.Truncate(Text(d.WorkerManagerID), nameWidth),
            "identity" => d.Identity,
            "last_seen" => TopFormat.Seconds(d.LastSeenS),
            "max_tasks" => d.MaxTaskConcurrency.ToString(CultureInfo.InvariantCulture),
            "pending" => d.PendingWorkers.ToString(CultureInfo.InvariantCulture),
            _ => d.Capabilities,
        }).ToArray()),
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
        string Manager, string Worker, double? TasksPerSecond, ulong AgentCpu, ulong AgentRss, ulong Cpu, ulong Rss, ulong RssFree,
        uint Free, uint Sent, uint Queued, byte Suspended, ulong LagMicroseconds, ushort LastSeconds, string Itl)
    {
        public static IReadOnlyList<string> Columns { get; } =
            ["manager", "worker", "tasks/s", "agt_cpu", "agt_rss", "cpu", "rss", "os_rss_free", "free", "sent", "queued", "suspended", "lag", "ITL"];

        public static WorkerRow From(WorkerStatus worker, string manager, double? tasksPerSecond) => new(
            manager,
            Text(worker.WorkerId),
            tasksPerSecond,
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
            "tasks/s" => TasksPerSecond ?? -1,
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

        public string Cell(string column, int workerWidth, int managerWidth) => column switch
        {
            "manager" => TopFormat.Truncate(Manager, managerWidth),
            "worker" => TopFormat.Truncate(Worker, workerWidth),
            "tasks/s" => TopFormat.Rate(TasksPerSecond),
            "agt_cpu" => TopFormat.Percentage(AgentCpu),
            "agt_rss" => TopFormat.Bytes(AgentRss),
            "cpu" => TopFormat.Percentage(Cpu),
            "rss" => TopFormat.Bytes(Rss),
            "os_rss_free" => TopFormat.Bytes(RssFree),
            "free" => Free.ToString(CultureInfo.InvariantCulture),
            "sent" => Sent.ToString(CultureInfo.InvariantCulture),
            "queued" => Queued.ToString(CultureInfo.InvariantCulture),
            "suspended" => Suspended.ToString(CultureInfo.InvariantCulture),
            "lag" => (LastSeconds > StaleAfterSeconds ? $"({TopFormat.Seconds(LastSeconds)}) " : "") + TopFormat.Microseconds(LagMicroseconds),
            _ => Itl,
        };
    }
}
