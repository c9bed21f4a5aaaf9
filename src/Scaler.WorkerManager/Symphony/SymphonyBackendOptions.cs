namespace Scaler.WorkerManager.Symphony;

/// <summary>What one <see cref="SymphonyExecutionBackend"/> connects to and how.</summary>
public sealed record SymphonyBackendOptions
{
    /// <summary>The SOAM application (Scaler's <c>--service-name</c>, passed to <c>Connect</c> as the reference does).</summary>
    public required string ApplicationName { get; init; }

    /// <summary>The identity of the worker that owns the backend; it goes into the session name.</summary>
    public required string WorkerIdentity { get; init; }

    /// <summary>Most tasks in Symphony at once (<c>--max-task-concurrency</c>).</summary>
    public required int MaxTaskConcurrency { get; init; }

    /// <summary>
    /// Tasks held beyond <see cref="MaxTaskConcurrency"/>, prepared while it is full so a freed Symphony slot gets the
    /// next task at once instead of waiting on object storage. A count of its own rather than a multiple of the
    /// concurrency: at a small concurrency a multiple holds only a few tasks, whose object fetches then no longer
    /// travel together, and that ran measurably slower; <see cref="MaxEnvelopeBytesAhead"/> bounds what they hold (the
    /// figures, 32 against twice the concurrency: docs/symphony.md, "Concurrency bound", and docs/performance.md).
    /// </summary>
    public int TasksAhead { get; init; } = 32;

    /// <summary>No task starts its preparation while the envelopes held (prepared, waiting or in Symphony) reach this many bytes.</summary>
    public long MaxEnvelopeBytesAhead { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// How long a result waits for others before the agent is told, while other tasks are held (a lone task's result
    /// goes at once); zero reports each at once. Results then travel together through agent, scheduler, client and
    /// object storage instead of waking each for one, which cuts every process's CPU per tiny task, for at most one
    /// window more per result of a busy backend (the figures: docs/symphony.md, "Results of a busy backend travel
    /// together", and docs/performance.md).
    /// </summary>
    public TimeSpan CompletionBatchWindow { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The clock of <see cref="CompletionBatchWindow"/> (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>TLS files for the backend's own connection to object storage (the manager's; a worker certificate).</summary>
    public IO.Tls.TlsSettings Tls { get; init; } = IO.Tls.TlsSettings.None;

    /// <summary>
    /// What the application's service instances are known to hold. The worker manager gives every worker it starts the
    /// same ledger, so a worker started after an idle gap does not ship code the service already has.
    /// </summary>
    public ServiceCodeLedger CodeLedger { get; init; } = new();

    public string SessionType { get; init; } = SymphonyWorkerManagerSettings.DefaultSessionType;

    /// <summary>A task whose session is lost more often than this fails instead of being sent again.</summary>
    public int MaxSessionLossesPerTask { get; init; } = 3;

    /// <summary>The longest wait between two attempts to open a session.</summary>
    public TimeSpan MaxReopenDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The SOAM session name: the worker identity, so an operator can match a session to its worker.</summary>
    public string SessionName
    {
        get
        {
            var name = "Scaler " + WorkerIdentity;
            return name.Length <= 256 ? name : name[..256];
        }
    }
}
