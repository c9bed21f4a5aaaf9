using Scaler.IO.Addressing;

namespace Scaler.Worker;

/// <summary>What one worker agent needs; mirrors the reference worker's parameters that Scaler.NET uses.</summary>
public sealed record WorkerAgentOptions
{
    /// <summary>The scheduler this worker connects to.</summary>
    public required ScalerAddress SchedulerAddress { get; init; }

    /// <summary>The object storage; null means "take it from the first heartbeat echo".</summary>
    public ScalerAddress? ObjectStorageAddress { get; init; }

    /// <summary>The YMQ identity, e.g. <c>Worker|FIX|&lt;hex&gt;|&lt;hex&gt;</c> (see <see cref="WorkerIdentity"/>).</summary>
    public required string Identity { get; init; }

    public IReadOnlyDictionary<string, long> Capabilities { get; init; } = new Dictionary<string, long>();

    /// <summary>Sent as <c>queueSize</c>; tasks beyond it are still queued (the scheduler is the one that limits).</summary>
    public int TaskQueueSize { get; init; } = 1000;

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Zero means tasks never time out.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The worker exits when the scheduler has not echoed a heartbeat for this long, also while it tries to reach a
    /// scheduler it lost (which it does until then).
    /// </summary>
    public TimeSpan DeathTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Sent as <c>workerManagerID</c> in every heartbeat.</summary>
    public string WorkerManagerId { get; init; } = string.Empty;

    /// <summary>
    /// How many times a task whose processor died under it is run again before it fails with
    /// <c>Scaler.Worker.ProcessorDiedException</c> (the reference's <c>ProcessorDiedError</c> for a Python client).
    /// Default 3, as Dask's <c>allowed-failures</c>: a processor killed from outside (an operator, the OOM killer) is
    /// not the task's doing, while a task that kills every processor it runs in fails on the 4th death.
    /// </summary>
    public int RetriesAfterProcessorDeath { get; init; } = DefaultRetriesAfterProcessorDeath;

    /// <summary>The default of <see cref="RetriesAfterProcessorDeath"/>, the same as the Python runner's.</summary>
    public const int DefaultRetriesAfterProcessorDeath = 3;

    /// <summary>How long shutdown waits for the scheduler's DisconnectResponse.</summary>
    public TimeSpan DisconnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// TLS files for the connections to the scheduler and object storage, and for the processors this worker starts
    /// (its manager's <c>tls_cert</c>, <c>tls_key</c>, <c>tls_ca</c>; with mutual TLS the certificate has the worker role).
    /// </summary>
    public IO.Tls.TlsSettings Tls { get; init; } = IO.Tls.TlsSettings.None;
}
