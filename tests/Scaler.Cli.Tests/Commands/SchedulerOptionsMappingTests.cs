using System.CommandLine;
using Scaler.Cli.Commands;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Policies.Scaling;
using Scaler.Scheduler.Runtime;
using StorageServerOptions = Scaler.ObjectStorage.Server.ObjectStorageServerOptions;

namespace Scaler.Cli.Tests.Commands;

/// <summary>The <c>[scheduler]</c> section, bound as <c>scaler-cli scheduler</c> binds it, onto the scheduler's own options.</summary>
public sealed class SchedulerOptionsMappingTests
{
    [Fact]
    public void ToServerOptions_EveryOptionGiven_ReachesTheScheduler()
    {
        var options = Map(
            "tls://127.0.0.1:8516 -osa tcp://10.0.0.1:8517 -aosa tcp://storage.example:9000 -ma tls://127.0.0.1:8600 "
            + "-sri 3 -p -mt 7 -ct 11 -wt 13 -ot 17 -ls 19 -lbt 5 -pc \"allocate=capability; scaling=capability\" "
            + "-tc cert.pem -tk key.pem -tca ca.pem --max-connections 99 --frame-stall-timeout-seconds 23 "
            + "--max-partial-frame-bytes 4096 --max-partial-frame-bytes-per-peer 2048 --max-object-bytes 1000 --max-total-bytes 5000");

        Assert.Equal(ScalerAddress.Parse("tls://127.0.0.1:8516"), options.BindAddress);
        Assert.Equal(ScalerAddress.Parse("tcp://10.0.0.1:8517"), options.ObjectStorageAddress);
        Assert.Equal(ScalerAddress.Parse("tcp://storage.example:9000"), options.AdvertisedObjectStorageAddress);
        Assert.Equal(ScalerAddress.Parse("tls://127.0.0.1:8600"), options.MonitorAddress);
        Assert.Equal(TimeSpan.FromSeconds(3), options.StatusReportInterval);
        Assert.True(options.Protected);
        Assert.Equal(7, options.MaxTasksWaiting);
        Assert.Equal(TimeSpan.FromSeconds(11), options.ClientTimeout);
        Assert.Equal(TimeSpan.FromSeconds(13), options.WorkerTimeout);
        Assert.Equal(TimeSpan.FromSeconds(17), options.ObjectRetention);
        Assert.Equal(TimeSpan.FromSeconds(19), options.LoadBalanceInterval);
        Assert.Equal(5, options.LoadBalanceTriggerTimes);
        Assert.Equal(new PolicyContent(PolicyEngineType.Simple, AllocationPolicyKind.Capability, ScalingPolicyKind.Capability), options.Policy);
        Assert.Equal(new IO.Tls.TlsSettings { CertificatePath = "cert.pem", KeyPath = "key.pem", CaPath = "ca.pem" }, options.Tls);
        Assert.Equal(1000, options.EmbeddedStorageMaxObjectBytes);
        Assert.Equal(5000, options.EmbeddedStorageMaxTotalBytes);

        var transport = new YmqOptions();
        Assert.NotNull(options.ConfigureTransport);
        options.ConfigureTransport(transport);
        Assert.Equal(99, transport.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(23), transport.FrameStallTimeout);
        Assert.Equal(4096, transport.MaxPartialFrameBytes);
        Assert.Equal(2048, transport.MaxPartialFrameBytesPerPeer);
    }

    [Fact]
    public void ToServerOptions_OnlyTheBindAddress_GivesTheReferenceDefaults()
    {
        var options = Map("tcp://127.0.0.1:8516");

        Assert.Null(options.ObjectStorageAddress);
        Assert.Null(options.AdvertisedObjectStorageAddress);
        Assert.Null(options.MonitorAddress);
        Assert.Equal(TimeSpan.FromSeconds(1), options.StatusReportInterval);
        Assert.False(options.Protected);
        Assert.Null(options.MaxTasksWaiting);
        Assert.Equal(TimeSpan.FromSeconds(60), options.ClientTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.WorkerTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.ObjectRetention);
        Assert.Equal(TimeSpan.FromSeconds(1), options.LoadBalanceInterval);
        Assert.Equal(2, options.LoadBalanceTriggerTimes);
        Assert.Equal(PolicyContent.Default, options.Policy);
        Assert.Equal(IO.Tls.TlsSettings.None, options.Tls);
        Assert.Equal(StorageServerOptions.DefaultMaxObjectBytes, options.EmbeddedStorageMaxObjectBytes);
        Assert.Equal(StorageServerOptions.DefaultMaxTotalBytes, options.EmbeddedStorageMaxTotalBytes);

        // The CLI's defaults and the scheduler's own agree, so a library caller gets the same scheduler.
        var library = new SchedulerServerOptions { BindAddress = options.BindAddress };
        Assert.Equal(library with { ConfigureTransport = options.ConfigureTransport }, options);
    }

    [Fact]
    public void ToServerOptions_NegativeLoadBalanceSeconds_TurnsBalancingOff()
    {
        Assert.Null(Map("tcp://127.0.0.1:8516 -ls -1").LoadBalanceInterval);
    }

    [Fact]
    public void ToServerOptions_BadPolicy_SaysWhatIsWrong()
    {
        var error = Assert.Throws<PolicyContentException>(() => Map("tcp://127.0.0.1:8516 -pc \"allocate=even_lod; scaling=vanilla\""));

        Assert.Contains("unknown allocate policy 'even_lod'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToServerOptions_CaWithATcpBindAddress_IsRefusedWithTheFlagsName()
    {
        var error = Assert.Throws<ConfigurationException>(() => Map("tcp://127.0.0.1:8516 -tca ca.pem"));

        Assert.Equal(
            "--tls-ca/-tca is set but the bind address tcp://127.0.0.1:8516 is not tls://: certificates can only be required over TLS",
            error.Message);
    }

    [Fact]
    public void ToServerOptions_AnAddressTheTransportCannotUse_IsAFormatError()
    {
        Assert.Throws<FormatException>(() => Map("tcp://127.0.0.1:8516 -ma ws://127.0.0.1:8600"));
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:0 -pc \"allocate=even_load\"", "scheduler: policy content needs the key 'scaling'")]
    [InlineData("tcp://127.0.0.1:0 -tca ca.pem", "scheduler: --tls-ca/-tca is set but the bind address tcp://127.0.0.1:0 is not tls://")]
    public async Task RunAsync_RefusedOptions_LogOneLineAndGiveTheUsageErrorCode(string commandLine, string logged)
    {
        using var logs = new LineLoggerFactory();

        var exitCode = await SchedulerCommand.RunAsync(Bind(commandLine), logs, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(ExitCodes.UsageError, exitCode);
        var line = Assert.Single(logs.Lines);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, line.Level);
        Assert.StartsWith(logged, line.Message, StringComparison.Ordinal);
    }

    private static SchedulerServerOptions Map(string commandLine) => SchedulerOptionsMapping.ToServerOptions(Bind(commandLine));

    /// <summary>Binds a command line exactly as <c>scaler-cli scheduler</c> does, without running a scheduler.</summary>
    private static SchedulerOptions Bind(string commandLine)
    {
        SchedulerOptions? bound = null;
        var command = SchedulerCommand.Create((options, _, _) =>
        {
            bound = options;
            return Task.FromResult(0);
        });
        using var error = new StringWriter();
        var exitCode = command.Parse(commandLine).Invoke(new InvocationConfiguration { Error = error, Output = TextWriter.Null });
        return bound ?? throw new InvalidOperationException($"exit code {exitCode}: {error}");
    }
}
