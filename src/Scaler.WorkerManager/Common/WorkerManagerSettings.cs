using Scaler.IO.Addressing;
using Scaler.IO.Tls;

namespace Scaler.WorkerManager.Common;

/// <summary>
/// What every worker manager type takes: where the scheduler is, who this manager is, and what its workers are like.
/// Each type adds its own settings in a record of its own that holds this one; the command line's common groups
/// (<c>worker_manager_config</c>, <c>worker_config</c>, <c>security</c>) map onto it in Scaler.Cli.
/// </summary>
public sealed record WorkerManagerSettings
{
    /// <summary>The scheduler this manager heartbeats to.</summary>
    public required ScalerAddress SchedulerAddress { get; init; }

    /// <summary>Sent in every heartbeat and given to every worker; the scheduler keys its per-manager bookkeeping by it.</summary>
    public required string WorkerManagerId { get; init; }

    /// <summary>The scheduler address the workers connect to; null means <see cref="SchedulerAddress"/>.</summary>
    public ScalerAddress? WorkerSchedulerAddress { get; init; }

    /// <summary>The object storage the workers use; null means the one the scheduler advertises.</summary>
    public ScalerAddress? ObjectStorageAddress { get; init; }

    /// <summary>Most task slots (workers, or tasks in Symphony) at once; -1 means no limit.</summary>
    public int MaxTaskConcurrency { get; init; } = -1;

    /// <summary>The capabilities of each worker, matched against the scheduler's requests; -1 is "present, no amount".</summary>
    public IReadOnlyDictionary<string, long> Capabilities { get; init; } = new Dictionary<string, long>();

    /// <summary>Tasks each worker queues.</summary>
    public int TaskQueueSize { get; init; } = 1000;

    /// <summary>Time between the heartbeats of the manager and of its workers.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a task may run; zero means for ever.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// How long the workers, and the manager itself, go on without the scheduler before they give up (the manager
    /// stops its workers then, with exit code 1).
    /// </summary>
    public TimeSpan DeathTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>The interpreter of Python tasks; null leaves it to where the task runs (<c>$SCALER_PYTHON_EXECUTABLE</c>, else <c>python3</c>).</summary>
    public string? PythonExecutable { get; init; }

    /// <summary>TLS files of the manager, given to its workers too (with mutual TLS, a certificate with the worker role).</summary>
    public TlsSettings Tls { get; init; } = TlsSettings.None;

    /// <summary>The scheduler address the workers connect to.</summary>
    public ScalerAddress EffectiveWorkerSchedulerAddress => WorkerSchedulerAddress ?? SchedulerAddress;

    /// <summary>The common runner's settings, named <paramref name="runnerName"/> in the manager's identity.</summary>
    public WorkerManagerRunnerOptions ToRunnerOptions(string runnerName) => new()
    {
        SchedulerAddress = SchedulerAddress,
        Name = runnerName,
        WorkerManagerId = WorkerManagerId,
        MaxTaskConcurrency = MaxTaskConcurrency,
        Capabilities = Capabilities,
        HeartbeatInterval = HeartbeatInterval,

        // The workers give up after the same time: a manager that outlived them would have nothing left to manage.
        SchedulerLossTimeout = DeathTimeout,
        Tls = Tls,
    };
}
