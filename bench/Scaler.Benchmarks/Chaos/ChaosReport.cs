namespace Scaler.Benchmarks.Chaos;

/// <summary>What the chaos soak saw; printed as a table and written as chaos.json.</summary>
internal sealed class ChaosReport
{
    public int Tasks { get; set; }

    public long Attempts { get; set; }

    public int Completed { get; set; }

    /// <summary>Tasks that neither succeeded nor failed within an attempt's bound (each was submitted again).</summary>
    public int Lost { get; set; }

    /// <summary>Tasks with no correct result at the end, after every resubmission.</summary>
    public int NeverCompleted { get; set; }

    public int WrongResults { get; set; }

    public int RanMoreThanOnce { get; set; }

    public int ReportedButNeverRan { get; set; }

    public int Reconnects { get; set; }

    /// <summary>Workers and processors of a killed worker manager still running 20 s after it died.</summary>
    public int OrphansLeft { get; set; }

    public double SecondsUnderChaos { get; set; }

    public Dictionary<string, int> Actions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> Failures { get; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> PeakRssBytes { get; set; } = new Dictionary<string, long>();

    public IReadOnlyList<string> ExitedParts { get; set; } = [];

    public bool ServingAtTheEnd { get; set; }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"chaos soak: {Tasks:N0} tasks in {SecondsUnderChaos:0} s under chaos ({Attempts:N0} submissions, {Reconnects} client reconnects)");
        output.WriteLine($"  chaos actions: {string.Join(", ", Actions.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}"))}");
        output.WriteLine($"  failed attempts (submitted again): {(Failures.Count == 0 ? "none" : string.Join(", ", Failures.Select(f => $"{f.Key} {f.Value}")))}");
        output.WriteLine($"  tasks lost (no answer within the bound): {Lost}");
        output.WriteLine($"  tasks never completed: {NeverCompleted}; wrong results: {WrongResults}; reported but never ran: {ReportedButNeverRan}");
        output.WriteLine($"  tasks run more than once: {RanMoreThanOnce}");
        output.WriteLine($"  workers or processors left running 20 s after their manager was killed: {OrphansLeft}");
        output.WriteLine($"  peak RSS: {string.Join(", ", PeakRssBytes.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value / 1048576.0:N0} MiB"))}");
        output.WriteLine($"  back to serving at the end: {(ServingAtTheEnd ? "yes" : "NO")}{(ExitedParts.Count == 0 ? string.Empty : $" ({string.Join("; ", ExitedParts)})")}");
    }
}
