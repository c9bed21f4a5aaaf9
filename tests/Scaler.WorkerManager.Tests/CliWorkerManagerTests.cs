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

    [Fact]
    public async Task TwoManagerProcessesWithoutAnId_EachHeartbeatsTypeHostnameAndItsOwnPid()
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
        string[] arguments =
        [
            "worker-manager", "baremetal_native", scheduler.Address.ToString(), "--mode", "dynamic", "-mtc", "1", "-his", "1",
            "-ll", "WARNING", "-lp", "/dev/stderr",
        ];
        using var first = Process.Start(launcher.CreateStartInfo(arguments))!;
        using var second = Process.Start(launcher.CreateStartInfo(arguments))!;
        try
        {
            var expected = new HashSet<string>(StringComparer.Ordinal)
            {
                $"baremetal_native-{Environment.MachineName}-{first.Id}",
                $"baremetal_native-{Environment.MachineName}-{second.Id}",
            };
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (!seen.SetEquals(expected))
            {
                var (_, heartbeat) = await scheduler.ExpectAsync<WorkerManagerHeartbeat>(cts.Token);
                var id = Encoding.UTF8.GetString(heartbeat.WorkerManagerID);
                Assert.Contains(id, expected);
                seen.Add(id);
            }

            Assert.True(PosixSignals.TryInterrupt(first.Id));
            Assert.True(PosixSignals.TryInterrupt(second.Id));
            await first.WaitForExitAsync(cts.Token);
            await second.WaitForExitAsync(cts.Token);
            Assert.Equal(0, first.ExitCode);
            Assert.Equal(0, second.ExitCode);
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            second.Kill(entireProcessTree: true);
        }
    }
}
