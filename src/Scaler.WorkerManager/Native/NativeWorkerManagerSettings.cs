using Microsoft.Extensions.Logging;
using Scaler.WorkerManager.Common;

namespace Scaler.WorkerManager.Native;

/// <summary>Settings of a <see cref="NativeWorkerManager"/>: the common ones, and how its local worker processes are run.</summary>
public sealed record NativeWorkerManagerSettings
{
    /// <summary>The standard output, as the workers' log destinations name it.</summary>
    public const string StandardOutput = "/dev/stdout";

    public required WorkerManagerSettings Manager { get; init; }

    public NativeWorkerScaling Scaling { get; init; } = NativeWorkerScaling.Dynamic;

    /// <summary>The first part of each worker's name; null means <c>FIX</c> or <c>NAT</c> by <see cref="Scaling"/>.</summary>
    public string? WorkerNamePrefix { get; init; }

    /// <summary>The lowest level the workers log.</summary>
    public LogLevel WorkerLogLevel { get; init; } = LogLevel.Information;

    /// <summary>Where the workers log; <c>/dev/stdout</c> and <c>/dev/stderr</c> are the console streams.</summary>
    public IReadOnlyList<string> WorkerLogPaths { get; init; } = [StandardOutput];

    /// <summary>The worker name prefix in effect.</summary>
    public string EffectiveWorkerNamePrefix => WorkerNamePrefix ?? (Scaling == NativeWorkerScaling.Fixed ? "FIX" : "NAT");
}
