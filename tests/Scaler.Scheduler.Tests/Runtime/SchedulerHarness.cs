using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Addressing;
using Scaler.Protocol.Messages;
using Scaler.Scheduler.Runtime;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>
/// One scheduler on 127.0.0.1 (port 0) driven by a <see cref="FakeTimeProvider"/>: its timeouts, balancing and status
/// reports happen only when the test advances time. Plus helpers to connect fake peers and walk common steps.
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    private readonly List<FakePeer> _peers = [];

    private SchedulerHarness(SchedulerServer server, FakeTimeProvider time)
    {
        Server = server;
        Time = time;
    }

    public SchedulerServer Server { get; }

    public FakeTimeProvider Time { get; }

    public static SchedulerServerOptions DefaultOptions => new()
    {
        BindAddress = ScalerAddress.Parse("tcp://127.0.0.1:0"),
        MonitorAddress = ScalerAddress.Parse("tcp://127.0.0.1:0"),
    };

    public static async Task<SchedulerHarness> StartAsync(Func<SchedulerServerOptions, SchedulerServerOptions>? configure = null)
    {
        var options = configure is null ? DefaultOptions : configure(DefaultOptions);
        var time = new FakeTimeProvider();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // The embedded object storage and the default monitor take the bound port + 1 / + 2, which another test's
        // ephemeral port may hold: a new bind (new port) is tried then, a few times.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var server = await SchedulerServer.StartAsync(options, NullLoggerFactory.Instance, time, timeout.Token);
                return new SchedulerHarness(server, time);
            }
            catch (SocketException error) when (error.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
            }
        }
    }

    public async Task<FakePeer> ConnectAsync(string identity)
    {
        var peer = await FakePeer.ConnectAsync(Server.Address, identity);
        _peers.Add(peer);
        return peer;
    }

    /// <summary>A client that has heartbeated (and got its echo).</summary>
    public async Task<FakePeer> ClientAsync(string name = "c1")
    {
        var client = await ConnectAsync("Client|" + name);
        await client.Send(new ClientHeartbeat { Resource = new Resource() });
        await client.Expect<ClientHeartbeatEcho>();
        return client;
    }

    /// <summary>A worker that has heartbeated with <paramref name="queueSize"/> slots (and got its echo).</summary>
    public async Task<FakePeer> WorkerAsync(string name, uint queueSize = 1)
    {
        var worker = await ConnectAsync("Worker|" + name);
        await Heartbeat(worker, queueSize);
        return worker;
    }

    public static async Task Heartbeat(FakePeer worker, uint queueSize = 1)
    {
        await worker.Send(new WorkerHeartbeat { Agent = new Resource(), QueueSize = queueSize, WorkerManagerID = "wm"u8.ToArray() });
        await worker.Expect<WorkerHeartbeatEcho>();
    }

    public static TaskMessage NewTask(FakePeer client, string id) => new()
    {
        TaskId = System.Text.Encoding.UTF8.GetBytes(id),
        Source = client.IdentityBytes,
        FuncObjectId = new byte[32],
    };

    public static TaskResult Result(TaskMessage task, string metadata = "") => new()
    {
        TaskId = task.TaskId,
        ResultType = TaskResultType.Success,
        Metadata = System.Text.Encoding.UTF8.GetBytes(metadata),
        Results = [new byte[32]],
    };

    /// <summary>
    /// Proves that nothing is queued for <paramref name="client"/>: a heartbeat's echo must be the very next message
    /// (frames to one peer keep their order).
    /// </summary>
    public static async Task ExpectNothingMore(FakePeer client)
    {
        await client.Send(new ClientHeartbeat { Resource = new Resource() });
        await client.Expect<ClientHeartbeatEcho>();
    }

    /// <summary>Advances the fake clock one second at a time (so every periodic routine runs once per step).</summary>
    public void Advance(int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}
