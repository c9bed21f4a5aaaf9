using Microsoft.Extensions.Logging;
using Scaler.Python.Runner;
using Scaler.Symphony.Ibm;
using Scaler.Symphony.Local;
using Scaler.Symphony.Soam;
using Scaler.Worker;
using Scaler.Worker.Hosting;
using Scaler.WorkerManager.Common;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// <c>scaler_worker_manager symphony</c>: a <see cref="WorkerManagerRunner"/> named <c>worker_manager_symphony</c>
/// heartbeats to the scheduler (max concurrency, capabilities, ID) and runs one in-process Symphony worker while the
/// scheduler wants task slots (<see cref="SymphonyWorkerProvisioner"/>). The worker sends each task to the SOAM
/// application named by <c>--service-name</c> (<see cref="SymphonyExecutionBackend"/>).
/// </summary>
public static partial class SymphonyWorkerManager
{
    public const string RunnerName = "worker_manager_symphony";

    /// <param name="api">The SOAM API to use; null chooses by <see cref="SymphonyWorkerManagerSettings.SoamBackend"/> (tests pass their own).</param>
    public static async Task<int> RunAsync(
        SymphonyWorkerManagerSettings settings, ILoggerFactory loggerFactory, CancellationToken shutdown, ISoamApi? api = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(SymphonyWorkerManager));
        ISoamApi selected;
        try
        {
            selected = api ?? SelectApi(settings, loggerFactory);
        }
        catch (SoamException e)
        {
            LogNoBackend(logger, e.Message);
            return 1;
        }

        try
        {
            LogStarting(logger, settings.ServiceName, settings.Manager.MaxTaskConcurrency, settings.SessionType);
            var provisioner = CreateProvisioner(settings, selected, loggerFactory);
            await using (provisioner.ConfigureAwait(false))
            {
                var runner = new WorkerManagerRunner(settings.Manager.ToRunnerOptions(RunnerName), provisioner, loggerFactory);
                return await runner.RunAsync(shutdown).ConfigureAwait(false);
            }
        }
        finally
        {
            if (api is null)
            {
                selected.Dispose();
            }
        }
    }

    /// <summary>The SOAM API for <c>--soam-backend</c>: IBM's assembly, or the local engine running Scaler's profile.</summary>
    /// <exception cref="SoamException"><c>ibm</c> was asked for and IBM's assembly was not found.</exception>
    public static ISoamApi SelectApi(SymphonyWorkerManagerSettings settings, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return SoamBackendSelector.Select(
            settings.SoamBackend,
            settings.SoamLibraryPath,
            Environment.GetEnvironmentVariable("SOAM_HOME"),
            () => new LocalSoamApi([LocalProfile(settings)], loggerFactory),
            loggerFactory.CreateLogger(typeof(SoamBackendSelector)));
    }

    /// <summary>
    /// The local engine's profile: Scaler's (<see cref="LocalApplicationProfile.ForScaler"/>), whose
    /// <c>scaler-cli soam-local-instance</c> processes get <c>--python-executable</c>, when given, as their
    /// <c>SCALER_PYTHON_EXECUTABLE</c> (otherwise they inherit this process's environment), and are marked as this
    /// process's children (<see cref="ParentProcess"/>): the engine runs in the manager, so they stop when it is gone.
    /// </summary>
    public static LocalApplicationProfile LocalProfile(SymphonyWorkerManagerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var command = LocalServiceCommand.ScalerCli();
        var environment = new Dictionary<string, string>(command.Environment, StringComparer.Ordinal)
        {
            [ParentProcess.Variable] = ParentProcess.CurrentValue,
        };
        if (settings.Manager.PythonExecutable is { } python)
        {
            environment[PythonRunnerOptions.ExecutableVariable] = python;
        }

        command = command with { Environment = environment };
        return LocalApplicationProfile.ForScaler(settings.ServiceName, settings.Manager.MaxTaskConcurrency, command);
    }

    /// <summary>The provisioner of the one Symphony worker, with the agent and backend settings from the manager's.</summary>
    public static SymphonyWorkerProvisioner CreateProvisioner(SymphonyWorkerManagerSettings settings, ISoamApi api, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(api);
        var manager = settings.Manager;
        var codeLedger = new ServiceCodeLedger();
        return new SymphonyWorkerProvisioner(
            identity => new WorkerAgentOptions
            {
                SchedulerAddress = manager.EffectiveWorkerSchedulerAddress,
                ObjectStorageAddress = manager.ObjectStorageAddress,
                Identity = identity,
                Capabilities = manager.Capabilities,
                TaskQueueSize = manager.TaskQueueSize,
                HeartbeatInterval = manager.HeartbeatInterval,
                TaskTimeout = manager.TaskTimeout,
                DeathTimeout = manager.DeathTimeout,
                WorkerManagerId = manager.WorkerManagerId,
                Tls = manager.Tls,
            },
            identity => new SymphonyExecutionBackend(
                api,
                new SymphonyBackendOptions
                {
                    ApplicationName = settings.ServiceName,
                    WorkerIdentity = identity,
                    MaxTaskConcurrency = manager.MaxTaskConcurrency,
                    SessionType = settings.SessionType,
                    CodeLedger = codeLedger,
                    Tls = manager.Tls,
                },
                loggerFactory),
            manager.Capabilities,
            loggerFactory);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Symphony worker manager: service {ServiceName}, max task concurrency {MaxTaskConcurrency}, session type {SessionType}")]
    private static partial void LogStarting(ILogger logger, string serviceName, int maxTaskConcurrency, string sessionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason}")]
    private static partial void LogNoBackend(ILogger logger, string reason);
}
