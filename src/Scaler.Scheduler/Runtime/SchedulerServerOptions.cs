using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.Scheduler.Policies;
using StorageServerOptions = Scaler.ObjectStorage.Server.ObjectStorageServerOptions;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Settings of a <see cref="SchedulerServer"/>, read once when it starts: parsed addresses, durations, a parsed
/// policy, and the transport's own types. The command line's <c>[scheduler]</c> section (whole seconds, address text)
/// maps onto them in Scaler.Cli, so the scheduler knows nothing of the CLI or TOML.
/// </summary>
public sealed record SchedulerServerOptions
{
    /// <summary>The reference's default of <c>client_timeout_seconds</c> and <c>worker_timeout_seconds</c>.</summary>
    public static readonly TimeSpan DefaultPeerTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The reference's default of <c>object_retention_seconds</c>.</summary>
    public static readonly TimeSpan DefaultObjectRetention = TimeSpan.FromSeconds(60);

    /// <summary>The reference's default of <c>load_balance_seconds</c> and <c>status_report_interval_seconds</c>.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>The reference's default of <c>load_balance_trigger_times</c>.</summary>
    public const int DefaultLoadBalanceTriggerTimes = 2;

    /// <summary>Where clients, workers and worker managers connect; port 0 picks a free port.</summary>
    public required ScalerAddress BindAddress { get; init; }

    /// <summary>The object storage server to use; null starts an embedded one on the bind port + 1.</summary>
    public ScalerAddress? ObjectStorageAddress { get; init; }

    /// <summary>The object storage address told to clients and workers; null means the one the scheduler uses.</summary>
    public ScalerAddress? AdvertisedObjectStorageAddress { get; init; }

    /// <summary>Where monitors connect; null means the bind address with port + 2.</summary>
    public ScalerAddress? MonitorAddress { get; init; }

    /// <summary>How often monitors get a status report.</summary>
    public TimeSpan StatusReportInterval { get; init; } = DefaultInterval;

    /// <summary>Refuses clients' requests to shut the scheduler and its workers down.</summary>
    public bool Protected { get; init; }

    /// <summary>Accepted and, as in the reference, not enforced (a warning says so at start); null means no limit.</summary>
    public int? MaxTasksWaiting { get; init; }

    /// <summary>A client silent for this long is dropped.</summary>
    public TimeSpan ClientTimeout { get; init; } = DefaultPeerTimeout;

    /// <summary>A worker silent for this long is dropped and its tasks placed again.</summary>
    public TimeSpan WorkerTimeout { get; init; } = DefaultPeerTimeout;

    /// <summary>How long the objects of a client that left are kept before they are deleted.</summary>
    public TimeSpan ObjectRetention { get; init; } = DefaultObjectRetention;

    /// <summary>Time between load balancing rounds; null never balances.</summary>
    public TimeSpan? LoadBalanceInterval { get; init; } = DefaultInterval;

    /// <summary>Identical balancing advices in a row before balancing happens.</summary>
    public int LoadBalanceTriggerTimes { get; init; } = DefaultLoadBalanceTriggerTimes;

    /// <summary>The allocation and scaling policies.</summary>
    public PolicyContent Policy { get; init; } = PolicyContent.Default;

    /// <summary>
    /// The scheduler's TLS files: its binders present the certificate, and with a CA require peers' certificates
    /// (then the bind address must be <c>tls://</c>); the embedded object storage gets the same files.
    /// </summary>
    public TlsSettings Tls { get; init; } = TlsSettings.None;

    /// <summary>
    /// Applied to the transport settings of every binder (main, monitor, embedded object storage): the limits an
    /// operator set on what peers may hold. Null keeps the transport's defaults.
    /// </summary>
    public Action<YmqOptions>? ConfigureTransport { get; init; }

    /// <summary>Largest object the embedded object storage accepts; unused with <see cref="ObjectStorageAddress"/>.</summary>
    public long EmbeddedStorageMaxObjectBytes { get; init; } = StorageServerOptions.DefaultMaxObjectBytes;

    /// <summary>Bytes the embedded object storage may hold; unused with <see cref="ObjectStorageAddress"/>.</summary>
    public long EmbeddedStorageMaxTotalBytes { get; init; } = StorageServerOptions.DefaultMaxTotalBytes;

    /// <exception cref="ArgumentException">A value is out of range, or a CA is set for a <c>tcp://</c> bind address.</exception>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(BindAddress);
        ArgumentNullException.ThrowIfNull(Policy);
        ArgumentNullException.ThrowIfNull(Tls);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StatusReportInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ClientTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WorkerTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ObjectRetention, TimeSpan.Zero);
        if (LoadBalanceInterval is { } balance)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(balance, TimeSpan.Zero, nameof(LoadBalanceInterval));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LoadBalanceTriggerTimes, 0);
        if (Tls.VerifiesPeers && !BindAddress.IsSecure)
        {
            // Certificates cannot be checked on plain TCP: starting would leave open a cluster its operator meant closed.
            throw new ArgumentException(
                $"a CA is set but the bind address {BindAddress} is not tls://: certificates can only be required over TLS",
                nameof(Tls));
        }
    }
}
