using Scaler.IO.Addressing;

namespace Scaler.WorkerManager.Common;

/// <summary>The common worker manager runtime's settings.</summary>
public sealed record WorkerManagerRunnerOptions
{
    public required ScalerAddress SchedulerAddress { get; init; }

    /// <summary>The middle part of the identity, e.g. <c>worker_manager_native</c>.</summary>
    public required string Name { get; init; }

    public required string WorkerManagerId { get; init; }

    /// <summary>Sent as <c>maxTaskConcurrency</c>; -1 (no limit) is sent as 0xFFFFFFFF, which reads back as -1.</summary>
    public int MaxTaskConcurrency { get; init; } = -1;

    public IReadOnlyDictionary<string, long> Capabilities { get; init; } = new Dictionary<string, long>();

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the manager goes on trying to reach a scheduler it lost before it stops its units and exits with code 1.
    /// The managers pass their workers' <c>--death-timeout-seconds</c>: the workers give up after the same time.
    /// </summary>
    public TimeSpan SchedulerLossTimeout { get; init; } = TimeSpan.FromSeconds(300);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>TLS files for the connection to the scheduler (with mutual TLS, a certificate with the worker role).</summary>
    public IO.Tls.TlsSettings Tls { get; init; } = IO.Tls.TlsSettings.None;
}
