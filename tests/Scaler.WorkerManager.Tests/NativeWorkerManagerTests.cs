using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;
using Scaler.Worker.Hosting;
using Scaler.Worker.Tests.Support;
using Scaler.WorkerManager.Common;
using Scaler.WorkerManager.Native;

namespace Scaler.WorkerManager.Tests;

/// <summary>The baremetal_native manager with real worker processes against a fake scheduler.</summary>
public sealed partial class NativeWorkerManagerTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private ObjectStorageServer _storage = null!;
    private FakeScheduler _scheduler = null!;

    public async Task InitializeAsync()
    {
        _storage = await ObjectStorageServer.StartAsync(
            new Scaler.ObjectStorage.Server.ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, CancellationToken.None);
        _scheduler = await FakeScheduler.StartAsync(_storage.LocalAddress);
    }

    public async Task DisposeAsync()
    {
        await _scheduler.DisposeAsync();
        await _storage.DisposeAsync();
    }

    [Fact]
    public async Task FixedMode_StartsMaxTaskConcurrencyWorkers_AndStopsThemAllOnShutdown()
    {
        using var cts = new CancellationTokenSource(Bound);
        using var shutdown = new CancellationTokenSource();
        var run = NativeWorkerManager.RunAsync(Options(NativeWorkerScaling.Fixed, 2, "wm-fixed"), NullLoggerFactory.Instance, shutdown.Token, Launcher());
        try
        {
            var workers = new Dictionary<PeerIdentity, uint>();
            while (workers.Count < 2)
            {
                var (peer, heartbeat) = await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (_, h) => h.Processors.Count == 1);
                Assert.StartsWith("Worker|FIX|", peer.ToString(), StringComparison.Ordinal);
                Assert.Equal("wm-fixed", Encoding.UTF8.GetString(heartbeat.WorkerManagerID));
                Assert.Equal(11u, heartbeat.QueueSize);
                workers[peer] = heartbeat.Processors[0].Pid;
            }

            await shutdown.CancelAsync();
            Assert.Equal(0, await run.WaitAsync(cts.Token));

            var disconnectRequests = new HashSet<PeerIdentity>();
            while (disconnectRequests.Count < 2)
            {
                var (peer, request) = await _scheduler.ExpectAsync<DisconnectRequest>(cts.Token);
                Assert.Equal(peer.ToString(), Encoding.UTF8.GetString(request.Worker));
                disconnectRequests.Add(peer);
            }

            Assert.Equal(workers.Keys.ToHashSet(), disconnectRequests);
            foreach (var processorPid in workers.Values)
            {
                await WaitUntilGoneAsync((int)processorPid, cts.Token);
            }
        }
        finally
        {
            await shutdown.CancelAsync();
            await run.WaitAsync(Bound);
        }
    }

    [Fact]
    public async Task DynamicMode_HeartbeatsAndFollowsTheDesiredConcurrency()
    {
        using var cts = new CancellationTokenSource(Bound);
        using var shutdown = new CancellationTokenSource();
        var run = NativeWorkerManager.RunAsync(Options(NativeWorkerScaling.Dynamic, 3, "wm-dynamic"), NullLoggerFactory.Instance, shutdown.Token, Launcher());
        try
        {
            var (manager, managerHeartbeat) = await _scheduler.ExpectAsync<WorkerManagerHeartbeat>(cts.Token);
            Assert.Matches(ManagerIdentity(), manager.ToString());
            Assert.StartsWith($"{Environment.ProcessId}|", manager.ToString(), StringComparison.Ordinal);
            Assert.Equal(3u, managerHeartbeat.MaxTaskConcurrency);
            Assert.Equal("wm-dynamic", Encoding.UTF8.GetString(managerHeartbeat.WorkerManagerID));
            Assert.Contains(managerHeartbeat.Capabilities, c => c.Name == "dotnet" && c.Value == -1);

            await _scheduler.SendAsync(manager, Command(2));
            var workers = new HashSet<PeerIdentity>();
            while (workers.Count < 2)
            {
                var (peer, _) = await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token);
                Assert.StartsWith("Worker|NAT|", peer.ToString(), StringComparison.Ordinal);
                workers.Add(peer);
            }

            await _scheduler.SendAsync(manager, Command(1));
            var (stopped, _) = await _scheduler.ExpectAsync<DisconnectRequest>(cts.Token);
            Assert.Contains(stopped, workers);

            await shutdown.CancelAsync();
            Assert.Equal(0, await run.WaitAsync(cts.Token));
            var (last, _) = await _scheduler.ExpectAsync<DisconnectRequest>(cts.Token);
            Assert.Contains(last, workers);
            Assert.NotEqual(stopped, last);
        }
        finally
        {
            await shutdown.CancelAsync();
            await run.WaitAsync(Bound);
        }
    }

    [Fact]
    public async Task Provisioner_KillsItsWorkersWhenDisposed()
    {
        using var cts = new CancellationTokenSource(Bound);
        var provisioner = NativeWorkerManager.CreateProvisioner(Options(NativeWorkerScaling.Fixed, 1, "wm-dispose"), Launcher(), NullLoggerFactory.Instance);
        int pid;
        await using (provisioner)
        {
            await provisioner.StartWorkersAsync(1, cts.Token);
            pid = Assert.Single(provisioner.WorkerPids);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token);
            Assert.Equal(1, provisioner.ActiveWorkerCount);
        }

        await WaitUntilGoneAsync(pid, cts.Token);
    }

    [Fact]
    public async Task PythonExecutable_ReachesTheProcessorCommandLineThroughTheWorker()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // reads /proc/PID/cmdline
        }

        using var cts = new CancellationTokenSource(Bound);
        var options = Options(NativeWorkerScaling.Fixed, 1, "wm-python");
        options = options with { Manager = options.Manager with { PythonExecutable = "/opt/no such/python3" } };
        Assert.Contains("python-executable=/opt/no such/python3", NativeWorkerManager.WorkerSettings(options, "FIX").ToArguments());

        var provisioner = NativeWorkerManager.CreateProvisioner(options, Launcher(), NullLoggerFactory.Instance);
        await using (provisioner)
        {
            await provisioner.StartWorkersAsync(1, cts.Token);
            var (_, heartbeat) = await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (_, h) => h.Processors.Count == 1);
            var commandLine = (await File.ReadAllTextAsync($"/proc/{heartbeat.Processors[0].Pid}/cmdline", cts.Token)).Split('\0');

            var at = Array.IndexOf(commandLine, "--python-executable");
            Assert.True(at > 0, string.Join(' ', commandLine));
            Assert.Equal("processor", commandLine[at - 3]);
            Assert.Equal("/opt/no such/python3", commandLine[at + 1]);
        }
    }

    [Fact]
    public void WorkerSettings_CarryTheManagersTlsFiles_ToEveryWorker()
    {
        var options = Options(NativeWorkerScaling.Fixed, 1, "wm-tls");
        options = options with
        {
            Manager = options.Manager with { Tls = new TlsSettings { CertificatePath = "/pki/worker.pem", KeyPath = "/pki/worker.key", CaPath = "/pki/ca.pem" } },
        };

        var arguments = NativeWorkerManager.WorkerSettings(options, "FIX").ToArguments();

        Assert.Contains("tls-cert=/pki/worker.pem", arguments);
        Assert.Contains("tls-key=/pki/worker.key", arguments);
        Assert.Contains("tls-ca=/pki/ca.pem", arguments);
    }

    private static ProcessLauncher Launcher() => ProcessLauncher.ForDll(Path.Combine(AppContext.BaseDirectory, "scaler-cli.dll"));

    private NativeWorkerManagerSettings Options(NativeWorkerScaling scaling, int maxTaskConcurrency, string id) => new()
    {
        Manager = new WorkerManagerSettings
        {
            SchedulerAddress = _scheduler.Address,
            WorkerManagerId = id,
            MaxTaskConcurrency = maxTaskConcurrency,
            Capabilities = new Dictionary<string, long> { ["dotnet"] = -1 },
            TaskQueueSize = 11,
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            DeathTimeout = TimeSpan.FromSeconds(60),
        },
        Scaling = scaling,
        WorkerLogLevel = LogLevel.Warning,
        WorkerLogPaths = ["/dev/stderr"],
    };

    private static WorkerManagerCommand Command(uint count) => new()
    {
        SetDesiredTaskConcurrencyRequests = [new WorkerManagerCommand.DesiredTaskConcurrencyRequest { TaskConcurrency = count }],
    };

    private static async Task WaitUntilGoneAsync(int pid, CancellationToken cancellationToken)
    {
        while (IsAlive(pid))
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\d+\|worker_manager_native\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex ManagerIdentity();
}
