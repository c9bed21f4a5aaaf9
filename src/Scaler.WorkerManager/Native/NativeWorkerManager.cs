using Microsoft.Extensions.Logging;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
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
        NativeWorkerManagerOptions options, ILoggerFactory loggerFactory, CancellationToken shutdown, ProcessLauncher? launcher = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(NativeWorkerManager));
        var provisioner = CreateProvisioner(options, launcher ?? ProcessLauncher.ForCurrentProcess(), loggerFactory);
        await using (provisioner.ConfigureAwait(false))
        {
            if (options.Mode == NativeWorkerManagerMode.Fixed)
            {
                LogFixed(logger, options.Manager.MaxTaskConcurrency);
                await provisioner.StartWorkersAsync(options.Manager.MaxTaskConcurrency, shutdown).ConfigureAwait(false);
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

            var runner = new WorkerManagerRunner(
                new WorkerManagerRunnerOptions
                {
                    SchedulerAddress = ScalerAddress.Parse(options.Manager.SchedulerAddress),
                    Name = RunnerName,
                    WorkerManagerId = options.Manager.WorkerManagerId,
                    MaxTaskConcurrency = options.Manager.MaxTaskConcurrency,
                    Capabilities = options.Worker.Capabilities,
                    HeartbeatInterval = TimeSpan.FromSeconds(options.Worker.HeartbeatIntervalSeconds),
                    SchedulerLossTimeout = TimeSpan.FromSeconds(options.Worker.DeathTimeoutSeconds),
                    Tls = options.Security.ToTlsSettings(),
                },
                provisioner,
                loggerFactory);
            return await runner.RunAsync(shutdown).ConfigureAwait(false);
        }
    }

    /// <summary>The provisioner for these options; each new worker gets a fresh <c>FIX|hex</c>/<c>NAT|hex</c> name.</summary>
    public static NativeWorkerProvisioner CreateProvisioner(NativeWorkerManagerOptions options, ProcessLauncher launcher, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = options.WorkerType ?? (options.Mode == NativeWorkerManagerMode.Fixed ? "FIX" : "NAT");
        var template = WorkerSettings(options, prefix);
        return new NativeWorkerProvisioner(
            () => template with { Name = WorkerIdentity.NewWorkerName(prefix) },
            launcher,
            options.Worker.Capabilities,
            options.Manager.MaxTaskConcurrency,
            StopGrace,
            loggerFactory);
    }

    /// <summary>The settings handed to every worker of this manager (name prefix only; each worker gets its own name).</summary>
    public static WorkerProcessSettings WorkerSettings(NativeWorkerManagerOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WorkerProcessSettings
        {
            SchedulerAddress = options.Manager.EffectiveWorkerSchedulerAddress,
            ObjectStorageAddress = options.Manager.ObjectStorageAddress,
            Name = name,
            Capabilities = WorkerProcessSettings.FormatCapabilities(options.Worker.Capabilities),
            TaskQueueSize = options.Worker.TaskQueueSize,
            HeartbeatIntervalSeconds = options.Worker.HeartbeatIntervalSeconds,
            TaskTimeoutSeconds = options.Worker.TaskTimeoutSeconds,
            DeathTimeoutSeconds = options.Worker.DeathTimeoutSeconds,
            WorkerManagerId = options.Manager.WorkerManagerId,
            LogLevel = options.Logging.Level.ToString(),
            LogPaths = string.Join(',', options.Logging.Paths),
            PythonExecutable = options.Worker.PythonExecutable,
            Tls = options.Security.ToTlsSettings(),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "fixed mode: starting {Count} workers")]
    private static partial void LogFixed(ILogger logger, int count);
}
