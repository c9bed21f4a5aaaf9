using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Runtime;
using static Scaler.Scheduler.Tests.Runtime.SchedulerHarness;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>Start-up, shutdown, worker managers, objects, monitors and bad input.</summary>
public sealed class SchedulerLifecycleTests
{
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ShutdownRequest_IsAccepted_WorkersAreToldToStop_AndTheSchedulerStops()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");

        await client.Send(new ClientDisconnect { DisconnectType = DisconnectType.Shutdown });

        Assert.True((await client.Expect<ClientShutdownResponse>()).Accepted);
        Assert.Equal(DisconnectType.Shutdown, (await worker.Expect<ClientDisconnect>()).DisconnectType);
        await harness.Server.Completion.WaitAsync(HangBound);
    }

    [Fact]
    public async Task ShutdownRequest_IsRefused_WhenProtected_AndTheSchedulerKeepsRunning()
    {
        await using var harness = await StartAsync(options => options with { Protected = true });
        var client = await harness.ClientAsync();

        await client.Send(new ClientDisconnect { DisconnectType = DisconnectType.Shutdown });

        Assert.False((await client.Expect<ClientShutdownResponse>()).Accepted);
        await ExpectNothingMore(client);
        Assert.False(harness.Server.Completion.IsCompleted);
    }

    [Fact]
    public async Task Stop_WithPeersConnectedAndTasksRunning_EndsWithinItsBound_Bugs888And924()
    {
        var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        await client.Send(NewTask(client, "t1"));
        await client.Send(NewTask(client, "t2"));
        await worker.Expect<TaskMessage>();

        await harness.Server.StopAsync().WaitAsync(HangBound);

        Assert.True(harness.Server.Completion.IsCompletedSuccessfully);
        await harness.DisposeAsync().AsTask().WaitAsync(HangBound);
    }

    [Fact]
    public async Task ExplicitPort_WhoseEmbeddedStoragePortIsTaken_FailsLoudly_AndReleasesTheSchedulerPort()
    {
        // Find p with p and p+1 free, then hold p+1: the embedded object storage cannot bind.
        var (port, holder) = HoldNextPort();
        using (holder)
        {
            var options = new SchedulerServerOptions { BindAddress = ScalerAddress.Parse($"tcp://127.0.0.1:{port}") };

            var error = await Assert.ThrowsAsync<Scaler.IO.Ymq.YmqAddressException>(
                () => SchedulerServer.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None));

            Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
            Assert.Equal($"cannot bind tcp://127.0.0.1:{port + 1}: address already in use", error.Message);
        }

        using var again = new TcpListener(IPAddress.Loopback, port);
        again.Start();
    }

    private static (int Port, TcpListener Holder) HoldNextPort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var holder = new TcpListener(IPAddress.Loopback, port + 1);
            try
            {
                holder.Start();
                return (port, holder);
            }
            catch (SocketException)
            {
                holder.Dispose();
            }
        }

        throw new InvalidOperationException("no port with a free successor found on 127.0.0.1");
    }

    [Fact]
    public async Task RunAsync_ReturnsWhenShutdownIsSignalled()
    {
        using var shutdown = new CancellationTokenSource();
        var run = SchedulerServer.RunAsync(DefaultOptions, NullLoggerFactory.Instance, shutdown.Token);

        await shutdown.CancelAsync();

        Assert.Equal(0, await run.WaitAsync(HangBound));
    }

    [Fact]
    public async Task CaWithAPlainTcpBindAddress_IsRefusedBeforeAnythingIsBound()
    {
        var options = DefaultOptions with { Tls = new TlsSettings { CaPath = "/nowhere/ca.pem" } };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => SchedulerServer.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None));

        Assert.Contains("is not tls://: certificates can only be required over TLS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedOptions_MakeRunAsyncReturnTheUsageErrorCode()
    {
        var options = DefaultOptions with { ClientTimeout = TimeSpan.Zero };

        Assert.Equal(2, await SchedulerServer.RunAsync(options, NullLoggerFactory.Instance, CancellationToken.None).WaitAsync(HangBound));
    }

    [Fact]
    public async Task VanillaScaling_AsksAWorkerManagerForWorkers_WhenTasksWait()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        await client.Send(NewTask(client, "t1"));
        await ExpectNothingMore(client);
        var manager = await harness.ConnectAsync("WorkerManager|m1");

        await manager.Send(new WorkerManagerHeartbeat { MaxTaskConcurrency = 8, WorkerManagerID = "m1"u8.ToArray() });

        await manager.Expect<WorkerManagerHeartbeatEcho>();
        var command = await manager.Expect<WorkerManagerCommand>();
        var request = Assert.Single(command.SetDesiredTaskConcurrencyRequests);
        Assert.Equal(1u, request.TaskConcurrency);
        Assert.Empty(request.Capabilities);
    }

    [Fact]
    public async Task NoScaling_SendsNoCommand()
    {
        await using var harness = await StartAsync(options => options with
        {
            Policy = PolicyContent.Parse("simple", "allocate=even_load; scaling=no"),
        });
        var client = await harness.ClientAsync();
        await client.Send(NewTask(client, "t1"));
        await ExpectNothingMore(client);
        var manager = await harness.ConnectAsync("WorkerManager|m1");

        await manager.Send(new WorkerManagerHeartbeat { MaxTaskConcurrency = 8, WorkerManagerID = "m1"u8.ToArray() });
        await manager.Expect<WorkerManagerHeartbeatEcho>();

        // The next heartbeat's echo comes straight after: no command was sent in between.
        await manager.Send(new WorkerManagerHeartbeat { MaxTaskConcurrency = 8, WorkerManagerID = "m1"u8.ToArray() });
        await manager.Expect<WorkerManagerHeartbeatEcho>();
    }

    [Fact]
    public async Task GarbageFrames_AreDropped_AndThePeerIsStillServed()
    {
        await using var harness = await StartAsync();
        var peer = await harness.ConnectAsync("Client|garbage");

        await peer.SendRaw([]);
        await peer.SendRaw([1, 2, 3]);
        await peer.SendRaw(Enumerable.Repeat((byte)0xff, 64).ToArray());
        await peer.SendRaw(MessageCodec.Encode(new ClientHeartbeat { Resource = new Resource() })[..12]);
        await peer.Send(new StateClient());

        await peer.Send(new ClientHeartbeat { Resource = new Resource() });
        await peer.Expect<ClientHeartbeatEcho>();
    }

    [Fact]
    public async Task EmbeddedObjectStorage_IsReachableAtBindPortPlusOne()
    {
        await using var harness = await StartAsync();
        var address = harness.Server.Address.WithPort(harness.Server.Address.Port + 1);
        Assert.Equal(address, harness.Server.ObjectStorageAddress);
        using var timeout = new CancellationTokenSource(HangBound);
        await using var storage = await ObjectStorageClient.ConnectAsync(address, "Client|storage", NullLoggerFactory.Instance, timeout.Token);
        var id = ObjectId.NewUnique(ObjectOwner.FromClientIdentity("Client|storage"u8));

        await storage.SetAsync(id, "payload"u8.ToArray(), timeout.Token);

        Assert.Equal("payload"u8.ToArray(), (await storage.GetAsync(id, timeout.Token)).ToArray());
    }

    [Fact]
    public async Task ClientDisconnect_DeletesItsObjects_AfterTheRetentionPeriod_FromWorkersAndObjectStorage()
    {
        await using var harness = await SchedulerHarness.StartAsync(options => options with { ObjectRetention = TimeSpan.FromSeconds(5) });
        using var timeout = new CancellationTokenSource(HangBound);
        await using var storage = await ObjectStorageClient.ConnectAsync(
            harness.Server.ObjectStorageAddress, "Client|c1", NullLoggerFactory.Instance, timeout.Token);
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var id = ObjectId.NewUnique(ObjectOwner.FromClientIdentity(client.IdentityBytes));
        await storage.SetAsync(id, "payload"u8.ToArray(), timeout.Token);
        await client.Send(new ObjectInstruction
        {
            InstructionType = ObjectInstructionType.Create,
            ObjectUser = client.IdentityBytes,
            ObjectMetadata = new ObjectMetadata
            {
                ObjectIds = [id.ToBytes()],
                ObjectTypes = [ObjectContentType.Object],
                ObjectNames = ["arg"u8.ToArray()],
            },
        });

        await client.Send(new ClientDisconnect { DisconnectType = DisconnectType.Disconnect });

        // The client's heartbeat echo after the disconnect would never come; a worker round trip shows the loop has
        // handled the disconnect before the clock moves.
        await worker.Send(new WorkerHeartbeat { Agent = new Resource(), QueueSize = 1 });
        await worker.Expect<WorkerHeartbeatEcho>();

        // Within the retention period the object stays: the worker's next message is its heartbeat echo, not a delete.
        harness.Advance(4);
        await worker.Send(new WorkerHeartbeat { Agent = new Resource(), QueueSize = 1 });
        await worker.Expect<WorkerHeartbeatEcho>();
        Assert.Equal(1UL, (await storage.GetInfoAsync(timeout.Token)).ObjectIdCount);

        harness.Advance(1);
        var instruction = await worker.Expect<ObjectInstruction>();
        Assert.Equal(ObjectInstructionType.Delete, instruction.InstructionType);
        Assert.Equal(id.ToBytes(), Assert.Single(instruction.ObjectMetadata.ObjectIds));
        while ((await storage.GetInfoAsync(timeout.Token)).ObjectIdCount != 0)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task ObjectDelete_FromItsOwner_IsForwardedToWorkers()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var ids = Enumerable.Range(0, 2).Select(_ => ObjectId.NewUnique(ObjectOwner.FromClientIdentity(client.IdentityBytes)).ToBytes()).ToArray();
        await client.Send(new ObjectInstruction
        {
            InstructionType = ObjectInstructionType.Create,
            ObjectUser = client.IdentityBytes,
            ObjectMetadata = new ObjectMetadata { ObjectIds = ids, ObjectTypes = [ObjectContentType.Object, ObjectContentType.Object], ObjectNames = [[], []] },
        });

        await client.Send(new ObjectInstruction
        {
            InstructionType = ObjectInstructionType.Delete,
            ObjectUser = client.IdentityBytes,
            ObjectMetadata = new ObjectMetadata { ObjectIds = [ids[1]] },
        });

        Assert.Equal(ids[1], Assert.Single((await worker.Expect<ObjectInstruction>()).ObjectMetadata.ObjectIds));
    }

    [Fact]
    public async Task Monitor_ReceivesStateScheduler_AtTheStatusInterval()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        await client.Send(NewTask(client, "t1"));
        await ExpectNothingMore(client);
        var monitor = await FakePeer.ConnectAsync(harness.Server.MonitorAddress, "Monitor|top");
        await using var _ = monitor;

        // The monitor's connection is registered by the binder shortly after the handshake; report until it hears one.
        var receive = monitor.ExpectEventually<StateScheduler>();
        StateScheduler? state = null;
        for (var i = 0; i < 200 && state is null; i++)
        {
            harness.Advance(1);
            if (await Task.WhenAny(receive, Task.Delay(50)) == receive)
            {
                state = await receive;
            }
        }

        Assert.NotNull(state);
        var inactive = state.TaskManager.StateToCount.Single(pair => pair.State == (byte)TaskState.Inactive);
        Assert.Equal(1u, inactive.Count);
        var tasksOfClient = Assert.Single(state.ClientManager.ClientToNumOfTask);
        Assert.Equal(client.IdentityBytes, tasksOfClient.Client);
        Assert.Equal(1u, tasksOfClient.NumTask);
    }

    [Fact]
    public async Task Monitor_SeesEachStateOfATask_TheLastOneIncluded()
    {
        await using var harness = await StartAsync();
        var monitor = await FakePeer.ConnectAsync(harness.Server.MonitorAddress, "Monitor|states");
        await using var _ = monitor;

        // The monitor's connection is registered shortly after the handshake: a status report proves it is.
        var receive = monitor.ExpectEventually<StateScheduler>();
        for (var i = 0; i < 200 && !receive.IsCompleted; i++)
        {
            harness.Advance(1);
            await Task.WhenAny(receive, Task.Delay(50));
        }

        await receive;
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var task = new TaskMessage
        {
            TaskId = "t1"u8.ToArray(),
            Source = client.IdentityBytes,
            FuncObjectId = new byte[32],
            Metadata = "meta"u8.ToArray(),
        };
        await client.Send(task);
        await worker.Expect<TaskMessage>();
        await worker.Send(Result(task));
        await client.Expect<TaskResult>();

        var seen = new List<StateTask>();
        while (seen.Count == 0 || seen[^1].State != TaskState.Success)
        {
            seen.Add(await monitor.ExpectEventually<StateTask>());
        }

        Assert.Equal([TaskState.Inactive, TaskState.Running, TaskState.Success], seen.Select(state => state.State).ToArray());
        Assert.All(seen, state =>
        {
            Assert.Equal(task.TaskId, state.TaskId);
            Assert.Equal("meta"u8.ToArray(), state.Metadata);
            Assert.Equal("<unknown func>"u8.ToArray(), state.FunctionName);
        });
        Assert.Equal(worker.IdentityBytes, seen[1].Worker);
    }

    [Fact]
    public async Task MonitorAddress_DefaultsToBindPortPlusTwo()
    {
        await using var harness = await StartAsync(options => options with { MonitorAddress = null });

        Assert.Equal(harness.Server.Address.Port + 2, harness.Server.MonitorAddress.Port);
    }
}
