using Scaler.Hosting.Sections;

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

    public string SessionType { get; init; } = SymphonyWorkerManagerOptions.DefaultSessionType;

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
