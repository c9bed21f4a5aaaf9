using Scaler.Hosting.Options;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Scaler.WorkerManager.Common;

namespace Scaler.Cli.Commands;

/// <summary>
/// The mapping every worker manager type shares: its CLI groups (<c>worker_manager_config</c>, <c>worker_config</c>,
/// <c>security</c>) onto the managers' common <see cref="WorkerManagerSettings"/>.
/// </summary>
internal static class WorkerManagerSettingsMapping
{
    /// <exception cref="FormatException">An address is not one the transport can use.</exception>
    public static WorkerManagerSettings ToSettings(WorkerManagerOptions options, SecurityOptions security)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(security);
        var manager = options.Manager;
        var worker = options.Worker;
        return new WorkerManagerSettings
        {
            SchedulerAddress = ScalerAddress.Parse(manager.SchedulerAddress),
            WorkerManagerId = manager.WorkerManagerId,
            WorkerSchedulerAddress = ParseOptional(manager.WorkerSchedulerAddress),
            ObjectStorageAddress = ParseOptional(manager.ObjectStorageAddress),
            MaxTaskConcurrency = manager.MaxTaskConcurrency,
            Capabilities = worker.Capabilities,
            TaskQueueSize = worker.TaskQueueSize,
            HeartbeatInterval = TimeSpan.FromSeconds(worker.HeartbeatIntervalSeconds),
            TaskTimeout = TimeSpan.FromSeconds(worker.TaskTimeoutSeconds),
            DeathTimeout = TimeSpan.FromSeconds(worker.DeathTimeoutSeconds),
            PythonExecutable = worker.PythonExecutable,
            Tls = security.ToTlsSettings(),
        };
    }

    private static ScalerAddress? ParseOptional(string? text) => text is null ? null : ScalerAddress.Parse(text);
}
