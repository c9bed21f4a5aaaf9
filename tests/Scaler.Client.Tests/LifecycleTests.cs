using Scaler.ClientTests.Support;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Testing;

namespace Scaler.ClientTests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Connect_NothingListening_FailsWithClearMessage()
    {
        var port = FreePorts.FindOne();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<ScalerClientException>(() =>
            Client.ConnectAsync($"tcp://127.0.0.1:{port}", new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(1) }, timeout.Token));

        Assert.Equal($"could not reach the scheduler at tcp://127.0.0.1:{port}: connection refused (gave up after 1 s)", error.Message);
    }

    [Fact]
    public async Task Connect_PeerNeverAnswersHeartbeat_FailsWithClearMessage()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var scheduler = await FakeScheduler.StartAsync(timeout.Token);
        scheduler.AnswerHeartbeats = false;

        var error = await Assert.ThrowsAsync<ScalerClientException>(() =>
            Client.ConnectAsync(scheduler.Address, new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(1) }, timeout.Token));

        Assert.StartsWith($"could not reach the scheduler at {scheduler.Address}: connected, but no heartbeat answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_BadAddress_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => new Client("http://nowhere"));

        Assert.Contains("http://nowhere", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Invalid_NameTheSetting()
    {
        var zero = new ClientOptions { HeartbeatInterval = TimeSpan.Zero };
        var inverted = new ClientOptions { HeartbeatInterval = TimeSpan.FromSeconds(10), SchedulerTimeout = TimeSpan.FromSeconds(5) };

        Assert.Equal("HeartbeatInterval", Assert.Throws<ArgumentOutOfRangeException>(zero.Validate).ParamName);
        Assert.Equal("SchedulerTimeout", Assert.Throws<ArgumentOutOfRangeException>(inverted.Validate).ParamName);
        new ClientOptions().Validate();
    }

    [Fact]
    public async Task Connect_SendsHeartbeatAndTheSerializerObjectOnce()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var results = await Task.Run(() => fixture.Client.Map(RemoteFunctions.Square, Enumerable.Range(0, 20))).WaitAsync(fixture.Token);
        await Task.Run(() => fixture.Client.Map(RemoteFunctions.Add, [1, 2], [3, 4])).WaitAsync(fixture.Token);

        Assert.Equal(20, results.Count);
        Assert.NotEmpty(fixture.Scheduler.ReceivedOf<ClientHeartbeat>());
        var serializerInstructions = fixture.Scheduler.ReceivedOf<ObjectInstruction>()
            .Where(i => i.ObjectMetadata.ObjectTypes.Contains(ObjectContentType.Serializer)).ToList();
        var instruction = Assert.Single(serializerInstructions);
        var owner = ObjectOwner.FromClientIdentity(System.Text.Encoding.ASCII.GetBytes(fixture.Client.Identity));
        Assert.Equal(ObjectId.ForSerializer(owner).ToBytes(), Assert.Single(instruction.ObjectMetadata.ObjectIds));
        Assert.Equal("serializer"u8.ToArray(), Assert.Single(instruction.ObjectMetadata.ObjectNames));
        Assert.Equal(instruction.ObjectUser, System.Text.Encoding.ASCII.GetBytes(fixture.Client.Identity));
        var stored = await fixture.Scheduler.GetObjectAsync(ObjectId.ForSerializer(owner), fixture.Token);
        Assert.True(SerializerDescriptor.TryParse(stored.Span, out var descriptor));
        Assert.Equal("msgpack", descriptor.FormatId);
    }

    [Fact]
    public async Task Submit_ManyFunctions_UploadsEachCodeAssemblyOnceAndNeverAnnouncesIt()
    {
        await using var fixture = await ClientFixture.StartAsync();

        await Task.Run(() => fixture.Client.Map(RemoteFunctions.Square, [1, 2, 3])).WaitAsync(fixture.Token);
        await Task.Run(() => fixture.Client.Map(RemoteFunctions.Greet, ["a", "b"])).WaitAsync(fixture.Token);
        await fixture.Client.Submit(RemoteFunctions.Add, 1, 2).AsTask().WaitAsync(fixture.Token);

        var expected = new[] { (Delegate)RemoteFunctions.Square, RemoteFunctions.Greet, RemoteFunctions.Add }
            .SelectMany(f => ShippableFunction.Capture(f).CodeAssemblies)
            .Select(a => a.Reference.Sha256Hex).Distinct().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, fixture.Client.Agent.CodeUploads);
        var announced = fixture.Scheduler.ReceivedOf<ObjectInstruction>().SelectMany(i => i.ObjectMetadata.ObjectIds)
            .Select(Convert.ToHexString).ToHashSet();
        foreach (var assembly in ShippableFunction.Capture(RemoteFunctions.Square).CodeAssemblies)
        {
            var id = assembly.Reference.ObjectId();
            var stored = await fixture.Scheduler.GetObjectAsync(ObjectId.FromBytes(id), fixture.Token);
            Assert.Equal(File.ReadAllBytes(assembly.Path), stored.ToArray());
            Assert.DoesNotContain(Convert.ToHexString(id), announced);
        }
    }

    [Fact]
    public async Task Cancel_QueuedTask_SendsTaskCancelAndTheFutureIsCancelled()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.HoldTasks = true;

        var future = fixture.Client.Submit(RemoteFunctions.Square, 4);
        await fixture.Scheduler.WaitForHeldAsync(1, fixture.Token);
        future.Cancel();

        await Assert.ThrowsAsync<TaskCanceledException>(() => future.AsTask().WaitAsync(fixture.Token));
        Assert.True(future.IsCanceled);
        Assert.True(future.Done);
        var cancel = Assert.Single(fixture.Scheduler.ReceivedOf<TaskCancel>());
        Assert.Equal(future.Id, Convert.ToHexStringLower(cancel.TaskId));
        Assert.True(cancel.Flags.Force);
    }

    [Fact]
    public async Task Submit_WhenItsObjectsCannotBeStored_FailsTheFuture_AndCancelsTheTaskItAlreadySent()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.HoldTasks = true;
        await fixture.Scheduler.StopStorageAsync();

        var future = fixture.Client.Submit(RemoteFunctions.Square, 5);

        await Assert.ThrowsAsync<ScalerClientException>(() => future.AsTask().WaitAsync(fixture.Token));
        var cancel = await fixture.Scheduler.WaitForAsync<TaskCancel>(c => future.Id == Convert.ToHexStringLower(c.TaskId), fixture.Token);
        Assert.True(cancel.Flags.Force);
    }

    [Fact]
    public async Task Cancel_RunningTaskThatCannotBeCancelled_StillDeliversTheResult()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var future = fixture.Client.Submit(RemoteFunctions.Square, 6);
        await fixture.Scheduler.WaitForAsync<TaskMessage>(_ => true, fixture.Token);
        var canceled = await future.CancelAsync(fixture.Token);

        // The fake scheduler answers cancelFailed for a task it is running (or the result came first).
        Assert.False(canceled);
        Assert.Equal(36, future.Result);
    }

    [Fact]
    public async Task Disconnect_SendsClientDisconnectAndFailsPendingFutures()
    {
        // No linger: the connector's close hands the queued ClientDisconnect over before the connection goes.
        await using var fixture = await ClientFixture.StartAsync(ClientFixture.FastOptions());
        fixture.Scheduler.HoldTasks = true;
        var future = fixture.Client.Submit(RemoteFunctions.Square, 4);
        await fixture.Scheduler.WaitForHeldAsync(1, fixture.Token);

        await Task.Run(fixture.Client.Disconnect).WaitAsync(fixture.Token);

        var disconnect = await fixture.Scheduler.WaitForAsync<ClientDisconnect>(_ => true, fixture.Token);
        Assert.Equal(DisconnectType.Disconnect, disconnect.DisconnectType);
        var error = Assert.Throws<ScalerClientException>(() => future.Result);
        Assert.Contains("disconnected", error.Message, StringComparison.Ordinal);
        Assert.True(fixture.Client.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => fixture.Client.Submit(RemoteFunctions.Square, 1));
    }

    [Fact]
    public async Task Shutdown_Accepted_WaitsForTheResponse()
    {
        await using var fixture = await ClientFixture.StartAsync();

        await fixture.Client.ShutdownAsync().WaitAsync(fixture.Token);

        var request = Assert.Single(fixture.Scheduler.ReceivedOf<ClientDisconnect>());
        Assert.Equal(DisconnectType.Shutdown, request.DisconnectType);
        Assert.True(fixture.Client.IsClosed);
    }

    [Fact]
    public async Task Shutdown_Refused_ThrowsAndClosesTheClient()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.ShutdownAccepted = false;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Client.ShutdownAsync().WaitAsync(fixture.Token));

        Assert.Contains("protected mode", error.Message, StringComparison.Ordinal);
        Assert.True(fixture.Client.IsClosed);
    }

    [Fact]
    public async Task Shutdown_NoAnswer_ThrowsAfterTheShutdownTimeout()
    {
        var options = ClientFixture.FastOptions();
        options.ShutdownTimeout = TimeSpan.FromMilliseconds(300);
        await using var fixture = await ClientFixture.StartAsync(options);
        fixture.Scheduler.ShutdownAccepted = null;

        var error = await Assert.ThrowsAsync<ScalerClientException>(() => fixture.Client.ShutdownAsync().WaitAsync(fixture.Token));

        Assert.Contains("did not answer the shutdown request", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchedulerGoesAway_PendingFuturesFailWithClearError()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var scheduler = await FakeScheduler.StartAsync(timeout.Token);
        await using var client = await Client.ConnectAsync(scheduler.Address, ClientFixture.FastOptions(), timeout.Token);
        scheduler.HoldTasks = true;
        var future = client.Submit(RemoteFunctions.Square, 4);
        await scheduler.WaitForHeldAsync(1, timeout.Token);

        // The objects were stored while the task travelled (the client does not wait for the stores before sending):
        // wait until the client has every acknowledgement, so a store cannot be what fails when the fake's object
        // storage goes too (the argument landing at the fake is not enough: its acknowledgement may still be on the way).
        while (client.Agent.StoresInFlight > 0)
        {
            await Task.Delay(5, timeout.Token);
        }

        await scheduler.DisposeAsync();

        var error = await Assert.ThrowsAsync<ScalerClientException>(() => future.AsTask().WaitAsync(timeout.Token));
        Assert.Contains($"lost its connection to the scheduler at {scheduler.Address}", error.Message, StringComparison.Ordinal);
        Assert.Throws<ScalerClientException>(() => client.Submit(RemoteFunctions.Square, 1));
    }
}
