using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.Worker.Agent;
using Scaler.Worker.Hosting;
using Scaler.Worker.Processors;

namespace Scaler.Worker.Tests.Support;

/// <summary>
/// One object storage server, one fake scheduler and one in-process worker (with a real processor process) shared by
/// the tests of a class, so processes start once.
/// </summary>
#pragma warning disable CA1001 // xunit disposes fixtures through IAsyncLifetime.DisposeAsync
public sealed class WorkerFixture : IAsyncLifetime
#pragma warning restore CA1001
{
    public static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(4);

    private readonly CancellationTokenSource _shutdown = new();
    private ObjectStorageServer? _server;
    private ObjectStorageClient? _client;
    private WorkerAgent? _agent;

    internal FakeScheduler Scheduler { get; private set; } = null!;

    internal TaskFactory Tasks { get; private set; } = null!;

    internal ProcessorProcessBackend Backend { get; private set; } = null!;

    internal WorkerAgentOptions Options { get; private set; } = null!;

    internal Task<int> Run { get; private set; } = Task.FromResult(0);

    public async Task InitializeAsync()
    {
        _server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, CancellationToken.None);
        _client = await ObjectStorageClient.ConnectAsync(_server.LocalAddress, "Client|tests", NullLoggerFactory.Instance, CancellationToken.None);
        Tasks = new TaskFactory(_client);
        Scheduler = await FakeScheduler.StartAsync(_server.LocalAddress);
        Options = new WorkerAgentOptions
        {
            SchedulerAddress = Scheduler.Address,
            Identity = WorkerIdentity.Generate(WorkerIdentity.NewWorkerName("FIX")),
            Capabilities = new Dictionary<string, long> { ["linux"] = -1, ["cpu"] = 4 },
            TaskQueueSize = 7,
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            TaskTimeout = TaskTimeout,
            DeathTimeout = TimeSpan.FromSeconds(60),
            WorkerManagerId = "wm-tests",
        };
        Backend = new ProcessorProcessBackend(ProcessLauncher.ForCurrentProcess(), NullLoggerFactory.Instance, "Warning");
        _agent = new WorkerAgent(Options, Backend, NullLoggerFactory.Instance);
        Run = _agent.RunAsync(_shutdown.Token);
    }

    public async Task DisposeAsync()
    {
        await _shutdown.CancelAsync();
        await Run.WaitAsync(TimeSpan.FromSeconds(20));
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        await Scheduler.DisposeAsync();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _shutdown.Dispose();
    }
}
