using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;
using Scaler.Worker.Hosting;
using Scaler.Worker.Tests.Support;
using Scaler.WorkerManager.Native;

namespace Scaler.WorkerManager.Tests;

/// <summary>The product executable end to end: <c>scaler-cli worker-manager baremetal_native</c> and its hidden worker command.</summary>
public sealed class CliWorkerManagerTests
{
    [Fact]
    public async Task FixedManagerProcess_StartsAWorkerWithItsOptions_AndStopsItOnCtrlC()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGINT cannot be sent to another process there
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var storage = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, CancellationToken.None);
        await using var scheduler = await FakeScheduler.StartAsync(storage.LocalAddress);
        var launcher = ProcessLauncher.ForDll(Path.Combine(AppContext.BaseDirectory, "scaler-cli.dll"));
        var startInfo = launcher.CreateStartInfo(
        [
            "worker-manager", "baremetal_native", scheduler.Address.ToString(),
            "-wmi", "cli-fixed", "-mtc", "1", "--mode", "fixed", "-his", "1", "-wtqs", "13", "-pwc", "linux,cpu=2",
            "-ll", "WARNING", "-lp", "/dev/stderr",
        ]);
        using var manager = Process.Start(startInfo)!;
        try
        {
            var (worker, heartbeat) = await scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token);
            Assert.StartsWith("Worker|FIX|", worker.ToString(), StringComparison.Ordinal);
            Assert.Equal("cli-fixed", Encoding.UTF8.GetString(heartbeat.WorkerManagerID));
            Assert.Equal(13u, heartbeat.QueueSize);
            Assert.Contains(heartbeat.Capabilities, c => c.Name == "cpu" && c.Value == 2);
            Assert.Contains(heartbeat.Capabilities, c => c.Name == "linux" && c.Value == -1);

            Assert.True(PosixSignals.TryInterrupt(manager.Id));
            var (stopped, _) = await scheduler.ExpectAsync<DisconnectRequest>(cts.Token);
            Assert.Equal(worker, stopped);
            await manager.WaitForExitAsync(cts.Token);
            Assert.Equal(0, manager.ExitCode);
        }
        finally
        {
            manager.Kill(entireProcessTree: true);
        }
    }
}
