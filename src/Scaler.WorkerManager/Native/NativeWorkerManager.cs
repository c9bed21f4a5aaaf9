using Microsoft.Extensions.Logging;
using Scaler.Worker;
using Scaler.Worker.Hosting;
using Scaler.WorkerManager.Common;

namespace Scaler.WorkerManager.Native;

/// <summary>
/// <c>scaler_worker_manager baremetal_native</c>. Dynamic mode: a <see cref="WorkerManagerRunner"/> named
/// <c>worker_manager_native</c> heartbeats to the scheduler and starts/stops workers as it asks. Fixed mode (as the
/// reference): no scheduler connection of its own; starts max-task-concurrency workers and waits for them, stopping them
/// all on Ctrl-C/SIGTERM. Workers that exit are not restarted.
/// </summary>
public static partial class NativeWorkerManager
{
    public const string RunnerName = "worker_manager_native";

    /// <summary>How long a worker may take to disconnect after SIGTERM before it is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(
        NativeWorkerManagerSettings settings, ILoggerFactory loggerFactory, CancellationToken shutdown, ProcessLauncher? launcher = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(NativeWorkerManager));
        var provisioner = CreateProvisioner(settings, launcher ?? ProcessLauncher.ForCurrentProcess(), loggerFactory);
        await using (provisioner.ConfigureAwait(false))
        {
            if (settings.Scaling == NativeWorkerScaling.Fixed)
            {
                LogFixed(logger, settings.Manager.MaxTaskConcurrency);
                await provisioner.StartWorkersAsync(settings.Manager.MaxTaskConcurrency, shutdown).ConfigureAwait(false);
                try
                {
                    await provisioner.WaitForAllExitedAsync(shutdown).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
                {
                }

                await provisioner.TerminateAsync(CancellationToken.None).ConfigureAwait(false);
                return 0;
            }

            var runner = new WorkerManagerRunner(settings.Manager.ToRunnerOptions(RunnerName), provisioner, loggerFactory);
            return await runner.RunAsync(shutdown).ConfigureAwait(false);
        }
    }

    /// <summary>The provisioner for these settings; each new worker gets a fresh <c>FIX|hex</c>/<c>NAT|hex</c> name.</summary>
    public static NativeWorkerProvisioner CreateProvisioner(NativeWorkerManagerSettings settings, ProcessLauncher launcher, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var prefix = settings.EffectiveWorkerNamePrefix;
        var template = WorkerSettings(settings, prefix);
        return new NativeWorkerProvisioner(
            () => template with { Name = WorkerIdentity.NewWorkerName(prefix) },
            launcher,
            settings.Manager.Capabilities,
            settings.Manager.MaxTaskConcurrency,
            StopGrace,
            loggerFactory);
    }

    /// <summary>The settings handed to every worker of this manager (name prefix only; each worker gets its own name).</summary>
    public static WorkerProcessSettings WorkerSettings(NativeWorkerManagerSettings settings, string name)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var manager = settings.Manager;
        return new WorkerProcessSettings
        {
            SchedulerAddress = manager.EffectiveWorkerSchedulerAddress.ToString(),
            ObjectStorageAddress = manager.ObjectStorageAddress?.ToString(),
            Name = name,
            Capabilities = WorkerProcessSettings.FormatCapabilities(manager.Capabilities),
            TaskQueueSize = manager.TaskQueueSize,
            HeartbeatIntervalSeconds = WholeSeconds(manager.HeartbeatInterval),
            TaskTimeoutSeconds = WholeSeconds(manager.TaskTimeout),
            DeathTimeoutSeconds = WholeSeconds(manager.DeathTimeout),
            WorkerManagerId = manager.WorkerManagerId,
            LogLevel = settings.WorkerLogLevel.ToString(),
            LogPaths = string.Join(',', settings.WorkerLogPaths),
            PythonExecutable = manager.PythonExecutable,
            Tls = manager.Tls,
        };
    }

    /// <summary>
    /// A worker's command line takes whole seconds; a fraction is rounded up, so that no timeout or interval becomes
    /// zero (which means "never" for the task timeout).
    /// </summary>
    private static int WholeSeconds(TimeSpan duration) =>
        checked((int)Math.Ceiling(duration.TotalSeconds));

    [LoggerMessage(Level = LogLevel.Information, Message = "fixed mode: starting {Count} workers")]
    private static partial void LogFixed(ILogger logger, int count);
}
