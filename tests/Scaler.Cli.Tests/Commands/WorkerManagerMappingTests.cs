using System.CommandLine;
using Microsoft.Extensions.Logging;
using Scaler.Cli.Commands;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.Symphony.Ibm;
using Scaler.WorkerManager.Native;
using Scaler.WorkerManager.Symphony;

namespace Scaler.Cli.Tests.Commands;

/// <summary>Each worker manager type's section, bound as <c>scaler-cli worker-manager TYPE</c> binds it, onto the manager's own settings.</summary>
public sealed class WorkerManagerMappingTests
{
    private const string Common =
        "tcp://127.0.0.1:8516 -wmi wm -wsa tcp://10.1.2.3:8516 -osa tcp://127.0.0.1:8517 -mtc 3 -pwc linux,cpu=4 "
        + "-wtqs 13 -his 5 -tts 7 -dts 11 --python-executable /opt/py/bin/python3 -tc w.pem -tk w.key -tca ca.pem";

    [Fact]
    public void Native_EveryOptionGiven_ReachesTheManager()
    {
        var settings = NativeWorkerManagerType.ToSettings(
            Bind(NativeWorkerManagerType.Descriptor, $"{Common} --mode fixed --worker-type W -ll WARNING -lp /dev/stderr /tmp/w.log"));

        AssertCommon(settings.Manager);
        Assert.Equal(NativeWorkerScaling.Fixed, settings.Scaling);
        Assert.Equal("W", settings.WorkerNamePrefix);
        Assert.Equal(LogLevel.Warning, settings.WorkerLogLevel);
        Assert.Equal(["/dev/stderr", "/tmp/w.log"], settings.WorkerLogPaths);
    }

    [Fact]
    public void Native_Defaults_AreDynamicWithTheNatPrefix()
    {
        var settings = NativeWorkerManagerType.ToSettings(Bind(NativeWorkerManagerType.Descriptor, "tcp://127.0.0.1:8516"));

        Assert.Equal(NativeWorkerScaling.Dynamic, settings.Scaling);
        Assert.Equal("NAT", settings.EffectiveWorkerNamePrefix);
        Assert.Null(settings.Manager.WorkerSchedulerAddress);
        Assert.Equal(settings.Manager.SchedulerAddress, settings.Manager.EffectiveWorkerSchedulerAddress);
        Assert.Null(settings.Manager.ObjectStorageAddress);
        Assert.Equal(TimeSpan.Zero, settings.Manager.TaskTimeout);
        Assert.Equal(TlsSettings.None, settings.Manager.Tls);
        Assert.Equal(Environment.ProcessorCount, settings.Manager.MaxTaskConcurrency);
        Assert.Equal(WorkerManagerCommonOptions.DefaultWorkerManagerId(NativeWorkerManagerOptions.TypeName), settings.Manager.WorkerManagerId);
    }

    [Fact]
    public void Symphony_EveryOptionGiven_ReachesTheManager()
    {
        var settings = SymphonyWorkerManagerType.ToSettings(Bind(
            SymphonyWorkerManagerType.Descriptor,
            $"{Common} -sn svc --session-type UnrecoverableNoHistoricalData --soam-backend ibm --soam-library-path /opt/soam"));

        AssertCommon(settings.Manager);
        Assert.Equal("svc", settings.ServiceName);
        Assert.Equal("UnrecoverableNoHistoricalData", settings.SessionType);
        Assert.Equal(SoamBackendKind.Ibm, settings.SoamBackend);
        Assert.Equal("/opt/soam", settings.SoamLibraryPath);
    }

    [Fact]
    public void Symphony_Defaults_MatchTheManagersOwn()
    {
        var settings = SymphonyWorkerManagerType.ToSettings(Bind(SymphonyWorkerManagerType.Descriptor, "tcp://127.0.0.1:8516 -sn svc"));

        Assert.Equal(SymphonyWorkerManagerSettings.DefaultSessionType, SymphonyWorkerManagerOptions.DefaultSessionType);
        Assert.Equal(SymphonyWorkerManagerSettings.DefaultSessionType, settings.SessionType);
        Assert.Equal(SoamBackendKind.Auto, settings.SoamBackend);
        Assert.Null(settings.SoamLibraryPath);
        Assert.Equal(SymphonyWorkerManagerOptions.DefaultMaxTaskConcurrency, settings.Manager.MaxTaskConcurrency);
    }

    [Theory]
    [InlineData("baremetal_native", "ws://127.0.0.1:8516")]
    [InlineData("symphony", "ws://127.0.0.1:8516 -sn svc")]
    public async Task RunAsync_AnAddressTheTransportCannotUse_LogsOneLineAndGivesTheUsageErrorCode(string type, string commandLine)
    {
        var descriptor = WorkerManagerTypes.All.Single(t => t.Name == type);
        using var logs = new LineLoggerFactory();
        Task<int>? run = null;
        var command = descriptor switch
        {
            WorkerManagerType<NativeWorkerManagerOptions, NativeWorkerManagerSettings> native =>
                native.CreateCommand((options, _, shutdown) => run = native.RunAsync(options, logs, shutdown)),
            WorkerManagerType<SymphonyWorkerManagerOptions, SymphonyWorkerManagerSettings> symphony =>
                symphony.CreateCommand((options, _, shutdown) => run = symphony.RunAsync(options, logs, shutdown)),
            _ => throw new InvalidOperationException(type),
        };

        var exitCode = await command.Parse(commandLine).InvokeAsync(new InvocationConfiguration { Error = TextWriter.Null, Output = TextWriter.Null });

        Assert.NotNull(run);
        Assert.Equal(ExitCodes.UsageError, exitCode);
        var line = Assert.Single(logs.Lines);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.StartsWith($"{type} worker manager: ", line.Message, StringComparison.Ordinal);
    }

    private static void AssertCommon(WorkerManager.Common.WorkerManagerSettings manager)
    {
        Assert.Equal(ScalerAddress.Parse("tcp://127.0.0.1:8516"), manager.SchedulerAddress);
        Assert.Equal("wm", manager.WorkerManagerId);
        Assert.Equal(ScalerAddress.Parse("tcp://10.1.2.3:8516"), manager.WorkerSchedulerAddress);
        Assert.Equal(ScalerAddress.Parse("tcp://127.0.0.1:8517"), manager.ObjectStorageAddress);
        Assert.Equal(3, manager.MaxTaskConcurrency);
        Assert.Equal(new Dictionary<string, long> { ["linux"] = -1, ["cpu"] = 4 }, manager.Capabilities);
        Assert.Equal(13, manager.TaskQueueSize);
        Assert.Equal(TimeSpan.FromSeconds(5), manager.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(7), manager.TaskTimeout);
        Assert.Equal(TimeSpan.FromSeconds(11), manager.DeathTimeout);
        Assert.Equal("/opt/py/bin/python3", manager.PythonExecutable);
        Assert.Equal(new TlsSettings { CertificatePath = "w.pem", KeyPath = "w.key", CaPath = "ca.pem" }, manager.Tls);
    }

    /// <summary>Binds a command line exactly as the type's <c>worker-manager TYPE</c> sub-command does, without running a manager.</summary>
    private static TOptions Bind<TOptions, TSettings>(WorkerManagerType<TOptions, TSettings> type, string commandLine)
        where TOptions : WorkerManagerOptions
    {
        TOptions? bound = null;
        var command = type.CreateCommand((options, _, _) =>
        {
            bound = options;
            return Task.FromResult(0);
        });
        using var error = new StringWriter();
        var exitCode = command.Parse(commandLine).Invoke(new InvocationConfiguration { Error = error, Output = TextWriter.Null });
        return bound ?? throw new InvalidOperationException($"exit code {exitCode}: {error}");
    }
}
