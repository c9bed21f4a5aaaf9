using Scaler.Symphony.Ibm;
using Scaler.WorkerManager.Common;

namespace Scaler.WorkerManager.Symphony;

/// <summary>Settings of a <see cref="SymphonyWorkerManager"/>: the common ones, and the SOAM application its tasks run in.</summary>
public sealed record SymphonyWorkerManagerSettings
{
    /// <summary>The session type the reference uses; it must exist in the application profile.</summary>
    public const string DefaultSessionType = "RecoverableAllHistoricalData";

    /// <summary>The common settings; <see cref="WorkerManagerSettings.MaxTaskConcurrency"/> bounds the tasks in Symphony.</summary>
    public required WorkerManagerSettings Manager { get; init; }

    /// <summary>The SOAM application the tasks are sent to.</summary>
    public required string ServiceName { get; init; }

    /// <summary>The SOAM session type to open.</summary>
    public string SessionType { get; init; } = DefaultSessionType;

    /// <summary>Which SOAM implementation to use.</summary>
    public SoamBackendKind SoamBackend { get; init; } = SoamBackendKind.Auto;

    /// <summary>IBM's SOAM .NET assembly, or a directory to search; null searches SOAM_HOME.</summary>
    public string? SoamLibraryPath { get; init; }
}
