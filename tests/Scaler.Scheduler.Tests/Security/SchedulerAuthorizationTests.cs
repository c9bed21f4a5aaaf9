using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;
using Scaler.Scheduler.Tests.Runtime;
using Scaler.Testing;

namespace Scaler.Scheduler.Tests.Security;

/// <summary>
/// A scheduler with mutual TLS (tls_cert, tls_key and tls_ca) against peers holding certificates of each role: what a
/// client, a worker and an admin may do, and what a peer that forges is told (docs/security.md).
/// </summary>
public sealed class SchedulerAuthorizationTests : IAsyncLifetime
{
    private readonly TestPki _pki = TestPki.Create();
    private readonly List<FakePeer> _peers = [];
    private SchedulerHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var server = _pki.Issue("scheduler", "server");
        _harness = await SchedulerHarness.StartAsync(options => options with
        {
            BindAddress = ScalerAddress.Parse("tls://127.0.0.1:0"),
            MonitorAddress = ScalerAddress.Parse("tls://127.0.0.1:0"),
            Tls = new TlsSettings { CertificatePath = server.CertificatePath, KeyPath = server.KeyPath, CaPath = _pki.CaPath },
        });
    }

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync();
        }

        await _harness.DisposeAsync();
        _pki.Dispose();
    }

    [Fact]
    public async Task Client_WithoutCertificate_IsRefused()
    {
        await Assert.ThrowsAsync<YmqConnectException>(() => FakePeer.ConnectAsync(_harness.Server.Address, "Client|anonymous", o =>
        {
            o.TlsCaPath = _pki.CaPath;
            o.ConnectMaxRetries = 0;
        }));
    }

    [Fact]
    public async Task Client_CannotCancelAnotherClientsTask_AndIsToldItDoesNotExist()
    {
        var alice = await ClientAsync("alice");
        var mallory = await ClientAsync("mallory");
        var worker = await WorkerAsync("w1");
        var task = SchedulerHarness.NewTask(alice, "alice-task");
        await alice.Send(task);
        await worker.Expect<TaskMessage>();

        await mallory.Send(new TaskCancel { TaskId = task.TaskId, Flags = new TaskCancel.TaskCancelFlags { Force = true } });

        var answer = await mallory.Expect<TaskCancelConfirm>();
        Assert.Equal(TaskCancelConfirmType.CancelNotFound, answer.CancelConfirmType);
        await worker.Send(SchedulerHarness.Result(task, "alice's"));
        Assert.Equal("alice's"u8.ToArray(), (await alice.Expect<TaskResult>()).Metadata);
    }

    [Fact]
    public async Task Client_CanCancelItsOwnTask()
    {
        var alice = await ClientAsync("alice");
        var task = SchedulerHarness.NewTask(alice, "queued");
        await alice.Send(task);

        await alice.Send(new TaskCancel { TaskId = task.TaskId, Flags = new TaskCancel.TaskCancelFlags() });

        Assert.Equal(TaskCancelConfirmType.Canceled, (await alice.Expect<TaskCancelConfirm>()).CancelConfirmType);
    }

    [Fact]
    public async Task Client_CannotShutTheClusterDown_ButAnAdminCan()
    {
        var client = await ClientAsync("c1");
        var admin = await PeerAsync("Client|admin", "admin");

        await client.Send(new ClientDisconnect { DisconnectType = DisconnectType.Shutdown });
        Assert.False((await client.Expect<ClientShutdownResponse>()).Accepted);
        Assert.False(_harness.Server.Completion.IsCompleted);

        await admin.Send(new ClientDisconnect { DisconnectType = DisconnectType.Shutdown });
        Assert.True((await admin.Expect<ClientShutdownResponse>()).Accepted);
        await _harness.Server.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Monitor_RefusesAClientCertificate_AndServesAMonitorOne()
    {
        await Assert.ThrowsAsync<YmqConnectException>(() => FakePeer.ConnectAsync(
            _harness.Server.MonitorAddress, "Client|curious", o => Present(o, _pki.Issue("curious", "client"), retries: 0)));

        var top = await FakePeer.ConnectAsync(_harness.Server.MonitorAddress, "top", o => Present(o, _pki.Issue("top", "monitor")));
        _peers.Add(top);

        // The monitor is registered shortly after the handshake; report until it hears one.
        var receive = top.ExpectEventually<StateScheduler>();
        for (var i = 0; i < 200 && !receive.IsCompleted; i++)
        {
            _harness.Advance(1);
            await Task.WhenAny(receive, Task.Delay(50));
        }

        Assert.NotNull(await receive);
    }

    [Fact]
    public async Task ForgedResult_FromAClient_DropsItAndNeverReachesTheOwner()
    {
        var alice = await ClientAsync("alice");
        var mallory = await ClientAsync("mallory");
        var worker = await WorkerAsync("w1");
        var task = SchedulerHarness.NewTask(alice, "victim-task");
        await alice.Send(task);
        await worker.Expect<TaskMessage>();

        await mallory.Send(SchedulerHarness.Result(task, "-666"));

        await WaitUntilAsync(() => mallory.Connector.State == YmqConnectorState.Closed);
        await worker.Send(SchedulerHarness.Result(task, "real"));
        Assert.Equal("real"u8.ToArray(), (await alice.Expect<TaskResult>()).Metadata);
    }

    [Fact]
    public async Task ForgedResult_FromAWorkerNotGivenTheTask_IsIgnored()
    {
        var alice = await ClientAsync("alice");
        var holder = await WorkerAsync("holder");
        var task = SchedulerHarness.NewTask(alice, "held");
        await alice.Send(task);
        await holder.Expect<TaskMessage>();
        var rogue = await WorkerAsync("rogue");

        await rogue.Send(SchedulerHarness.Result(task, "-666"));
        await holder.Send(SchedulerHarness.Result(task, "real"));

        Assert.Equal("real"u8.ToArray(), (await alice.Expect<TaskResult>()).Metadata);
    }

    [Fact]
    public async Task Task_OnBehalfOfAnotherClient_DropsTheSender()
    {
        var alice = await ClientAsync("alice");
        var mallory = await ClientAsync("mallory");
        var worker = await WorkerAsync("w1");

        await mallory.Send(SchedulerHarness.NewTask(alice, "in-alice's-name"));

        await WaitUntilAsync(() => mallory.Connector.State == YmqConnectorState.Closed);
        var mine = SchedulerHarness.NewTask(alice, "alice's-own");
        await alice.Send(mine);
        Assert.Equal(mine.TaskId, (await worker.Expect<TaskMessage>()).TaskId);
    }

    [Fact]
    public async Task WorkerMessages_FromAClientCertificate_DropTheSender()
    {
        var posing = await PeerAsync("Worker|posing", "client");

        await posing.Send(new WorkerHeartbeat { Agent = new Resource(), QueueSize = 10, WorkerManagerID = "wm"u8.ToArray() });

        await WaitUntilAsync(() => posing.Connector.State == YmqConnectorState.Closed);
    }

    [Fact]
    public async Task ClientMessages_FromAWorkerCertificate_DropTheSender()
    {
        var worker = await PeerAsync("Client|posing-worker", "worker");

        await worker.Send(new ClientHeartbeat { Resource = new Resource() });

        await WaitUntilAsync(() => worker.Connector.State == YmqConnectorState.Closed);
    }

    private async Task<FakePeer> ClientAsync(string name)
    {
        var client = await PeerAsync("Client|" + name, "client");
        await client.Send(new ClientHeartbeat { Resource = new Resource() });
        await client.Expect<ClientHeartbeatEcho>();
        return client;
    }

    private async Task<FakePeer> WorkerAsync(string name)
    {
        var worker = await PeerAsync("Worker|" + name, "worker");
        await SchedulerHarness.Heartbeat(worker);
        return worker;
    }

    private async Task<FakePeer> PeerAsync(string identity, params string[] roles)
    {
        var certificate = _pki.Issue(identity.Replace('|', '-'), roles);
        var peer = await FakePeer.ConnectAsync(_harness.Server.Address, identity, o => Present(o, certificate));
        _peers.Add(peer);
        return peer;
    }

    private void Present(YmqOptions options, TestCertificate certificate, int retries = 8)
    {
        options.TlsCertificatePath = certificate.CertificatePath;
        options.TlsKeyPath = certificate.KeyPath;
        options.TlsCaPath = _pki.CaPath;
        options.TlsAcceptedPeerRoles = ScalerRoles.Server;
        options.ConnectMaxRetries = retries;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
