using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Cli.Commands;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Server;
using Scaler.Testing;

namespace Scaler.Cli.Tests.Launch;

/// <summary>
/// <c>launch</c> on a file with only <c>[object_storage_server]</c>: the child's command line goes through the real
/// <c>object-storage-server</c> command, whose run hook here starts the real Scaler.ObjectStorage server in-process
/// (the sub-command of this branch is still a placeholder).
/// </summary>
public sealed class LaunchObjectStorageTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Launch_StartsAServerThatAcceptsYmqAndStopsItOnShutdown()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var address = ScalerAddress.Parse($"tcp://127.0.0.1:{FreePorts.FindOne()}");
        var path = _files.Write("oss.toml", $"[object_storage_server]\nbind_address = \"{address}\"\nidentity = \"launched-store\"\n");
        var children = new InProcessChildren(() => new RootCommand { ObjectStorageServerCommand.Create(RunServerAsync) });
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var launcherStop = CancellationTokenSource.CreateLinkedTokenSource(bound.Token);

        var launcher = CliRunner.RunAsync(
            new RootCommand { LaunchCommand.Create(children, TimeSpan.FromSeconds(5)) }, ["launch", path], output, error, launcherStop.Token);

        var retrying = new YmqOptions
        {
            Identity = "test-client",
            ConnectRetryInitialDelay = TimeSpan.FromMilliseconds(20),
            ConnectRetryMaxDelay = TimeSpan.FromMilliseconds(100),
            ConnectMaxRetries = null,
        };
        await using (var connector = await YmqConnector.ConnectAsync(address, retrying, NullLogger.Instance, bound.Token))
        {
            Assert.Equal("launched-store", connector.RemoteIdentity.ToString());
        }

        // The launcher's own readiness probe races the test's connection: wait for its line before stopping it.
        var ready = $"[scaler] object_storage_server accepts connections at {address}";
        while (!output.ToString().Contains(ready, StringComparison.Ordinal))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), bound.Token);
        }

        await launcherStop.CancelAsync();
        var exitCode = await launcher;

        Assert.False(bound.IsCancellationRequested);
        Assert.Equal(ExitCodes.Success, exitCode);
        var (spec, child) = Assert.Single(children.Started);
        Assert.Equal("object_storage_server", spec.Name);
        Assert.True(child.StopRequested);
        Assert.Equal(0, await child.Exited);
        Assert.Contains("[scaler] started object_storage_server", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"[scaler] object_storage_server accepts connections at {address}", output.ToString(), StringComparison.Ordinal);
        var once = new YmqOptions { Identity = "test-client", ConnectMaxRetries = 0 };
        await Assert.ThrowsAsync<YmqConnectException>(() => YmqConnector.ConnectAsync(address, once, NullLogger.Instance, bound.Token));
    }

    private static async Task<int> RunServerAsync(
        Scaler.Hosting.Sections.ObjectStorageServerOptions options, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory, CancellationToken shutdown)
    {
        var serverOptions = new Scaler.ObjectStorage.Server.ObjectStorageServerOptions
        {
            Address = ScalerAddress.Parse(options.BindAddress),
            Identity = options.Identity,
        };
        await using var server = await ObjectStorageServer.StartAsync(serverOptions, NullLoggerFactory.Instance, shutdown);
        try
        {
            await Task.Delay(Timeout.Infinite, shutdown);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }
}
