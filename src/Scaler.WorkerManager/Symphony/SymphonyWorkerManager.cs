using Microsoft.Extensions.Logging;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
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

    /// <param name="createApi">The SOAM API to use; null chooses by <c>--soam-backend</c> (tests pass their own).</param>
    public static async Task<int> RunAsync(
        SymphonyWorkerManagerOptions options, ILoggerFactory loggerFactory, CancellationToken shutdown, ISoamApi? api = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(SymphonyWorkerManager));
        ISoamApi selected;
        try
        {
            selected = api ?? SelectApi(options, loggerFactory);
        }
        catch (SoamException e)
        {
            LogNoBackend(logger, e.Message);
            return 1;
        }

        try
        {
            LogStarting(logger, options.ServiceName, options.Manager.MaxTaskConcurrency, options.SessionType);
            var provisioner = CreateProvisioner(options, selected, loggerFactory);
            await using (provisioner.ConfigureAwait(false))
            {
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
    public static ISoamApi SelectApi(SymphonyWorkerManagerOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var kind = options.SoamBackend switch
        {
            SymphonySoamBackend.Ibm => SoamBackendKind.Ibm,
            SymphonySoamBackend.Local => SoamBackendKind.Local,
            _ => SoamBackendKind.Auto,
        };
        return SoamBackendSelector.Select(
            kind,
            options.SoamLibraryPath,
            Environment.GetEnvironmentVariable("SOAM_HOME"),
            () => new LocalSoamApi([LocalProfile(options)], loggerFactory),
            loggerFactory.CreateLogger(typeof(SoamBackendSelector)));
    }

    /// <summary>
    /// The local engine's profile: Scaler's (<see cref="LocalApplicationProfile.ForScaler"/>), whose
    /// <c>scaler-cli soam-local-instance</c> processes get <c>--python-executable</c>, when given, as their
    /// <c>SCALER_PYTHON_EXECUTABLE</c> (otherwise they inherit this process's environment), and are marked as this
    /// process's children (<see cref="ParentProcess"/>): the engine runs in the manager, so they stop when it is gone.
    /// </summary>
    public static LocalApplicationProfile LocalProfile(SymphonyWorkerManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var command = LocalServiceCommand.ScalerCli();
        var environment = new Dictionary<string, string>(command.Environment, StringComparer.Ordinal)
        {
            [ParentProcess.Variable] = ParentProcess.CurrentValue,
        };
        if (options.Worker.PythonExecutable is { } python)
        {
            environment[PythonRunnerOptions.ExecutableVariable] = python;
        }

        command = command with { Environment = environment };
        return LocalApplicationProfile.ForScaler(options.ServiceName, options.Manager.MaxTaskConcurrency, command);
    }

    /// <summary>The provisioner of the one Symphony worker, with the agent and backend settings from the options.</summary>
    public static SymphonyWorkerProvisioner CreateProvisioner(SymphonyWorkerManagerOptions options, ISoamApi api, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(api);
        var schedulerAddress = ScalerAddress.Parse(options.Manager.EffectiveWorkerSchedulerAddress);
        var storageAddress = string.IsNullOrWhiteSpace(options.Manager.ObjectStorageAddress)
            ? null
            : ScalerAddress.Parse(options.Manager.ObjectStorageAddress);
        var codeLedger = new ServiceCodeLedger();
        return new SymphonyWorkerProvisioner(
            identity => new WorkerAgentOptions
            {
                SchedulerAddress = schedulerAddress,
                ObjectStorageAddress = storageAddress,
                Identity = identity,
                Capabilities = options.Worker.Capabilities,
                TaskQueueSize = options.Worker.TaskQueueSize,
                HeartbeatInterval = TimeSpan.FromSeconds(options.Worker.HeartbeatIntervalSeconds),
                TaskTimeout = TimeSpan.FromSeconds(options.Worker.TaskTimeoutSeconds),
                DeathTimeout = TimeSpan.FromSeconds(options.Worker.DeathTimeoutSeconds),
                WorkerManagerId = options.Manager.WorkerManagerId,
                Tls = options.Security.ToTlsSettings(),
            },
            identity => new SymphonyExecutionBackend(
                api,
                new SymphonyBackendOptions
                {
                    ApplicationName = options.ServiceName,
                    WorkerIdentity = identity,
                    MaxTaskConcurrency = options.Manager.MaxTaskConcurrency,
                    SessionType = options.SessionType,
                    CodeLedger = codeLedger,
                    Tls = options.Security.ToTlsSettings(),
                },
                loggerFactory),
            options.Worker.Capabilities,
            loggerFactory);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Symphony worker manager: service {ServiceName}, max task concurrency {MaxTaskConcurrency}, session type {SessionType}")]
    private static partial void LogStarting(ILogger logger, string serviceName, int maxTaskConcurrency, string sessionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason}")]
    private static partial void LogNoBackend(ILogger logger, string reason);
}
