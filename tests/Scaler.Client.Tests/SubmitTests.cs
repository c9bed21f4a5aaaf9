using Scaler.ClientTests.Support;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests;

public sealed class SubmitTests
{
    [Fact]
    public async Task Submit_Result_ReturnsTheRemoteValue()
    {
        await using var fixture = await ClientFixture.StartAsync();

        ScalerFuture<int> future = fixture.Client.Submit(RemoteFunctions.Square, 7);

        Assert.Equal(49, await future.AsTask().WaitAsync(fixture.Token));
        Assert.Equal(49, future.Result);
        Assert.True(future.Done);
        Assert.False(future.IsCanceled);
    }

    [Fact]
    public async Task Submit_Await_ReturnsTheRemoteValue()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var greeting = await fixture.Client.Submit(RemoteFunctions.Greet, "scaler");

        Assert.Equal("hello scaler", greeting);
    }

    [Fact]
    public async Task Submit_AsyncFunction_FutureHoldsTheAwaitedResult()
    {
        await using var fixture = await ClientFixture.StartAsync();

        ScalerFuture<int> future = fixture.Client.Submit(RemoteFunctions.DoubleLaterAsync, 21);

        Assert.Equal(42, await future.AsTask().WaitAsync(fixture.Token));
    }

    [Fact]
    public async Task Submit_CapturingLambda_RunsWithTheCapturedValue()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var offset = 1000;

        var result = await fixture.Client.Submit((int x) => x + offset, 5).AsTask().WaitAsync(fixture.Token);

        Assert.Equal(1005, result);
    }

    [Fact]
    public async Task Submit_LambdaCapturingAStream_ThrowsAtSubmitAndSendsNothing()
    {
        await using var fixture = await ClientFixture.StartAsync();
        using var stream = new MemoryStream(new byte[3]);

        var error = Assert.Throws<FunctionNotShippableException>(() => fixture.Client.Submit((int x) => x + (int)stream.Length, 1));

        Assert.Contains("stream", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Client.PendingTaskCount);
    }

    [Fact]
    public async Task Submit_TaskMessage_CarriesIdentityFlagsAndObjectIdsAsTheReference()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var future = fixture.Client.Submit(RemoteFunctions.Add, 2, 3);
        Assert.Equal(5, await future.AsTask().WaitAsync(fixture.Token));

        var task = Assert.Single(fixture.Scheduler.ReceivedOf<TaskMessage>());
        Assert.Matches("^Client\\|[0-9a-f]{32}$", fixture.Client.Identity);
        Assert.Equal(fixture.Client.Identity, System.Text.Encoding.ASCII.GetString(task.Source));
        Assert.Equal(16, task.TaskId.Length);
        Assert.Equal(future.Id, Convert.ToHexStringLower(task.TaskId));
        Assert.Equal(new byte[6], task.Metadata); // struct "!?i?": no profiling, priority 0, no stream output
        var owner = ObjectOwner.FromClientIdentity(task.Source);
        Assert.True(ObjectId.FromBytes(task.FuncObjectId).IsOwnedBy(owner));
        Assert.Equal(2, task.FunctionArgs.Count);
        Assert.All(task.FunctionArgs, a => Assert.Equal(ArgumentType.ObjectID, a.Type));
        Assert.All(task.FunctionArgs, a => Assert.True(ObjectId.FromBytes(a.Data).IsOwnedBy(owner)));
        Assert.Empty(task.Capabilities);

        // Every object a task names was announced to the scheduler before the task.
        var messages = fixture.Scheduler.Received.ToList();
        var taskIndex = messages.IndexOf(task);
        var announced = messages.Take(taskIndex).OfType<ObjectInstruction>()
            .Where(i => i.InstructionType == ObjectInstructionType.Create)
            .SelectMany(i => i.ObjectMetadata.ObjectIds).Select(Convert.ToHexString).ToHashSet();
        Assert.Contains(Convert.ToHexString(task.FuncObjectId), announced);
        Assert.All(task.FunctionArgs, a => Assert.Contains(Convert.ToHexString(a.Data), announced));
    }

    [Fact]
    public async Task Submit_ThrowingTask_RaisesTaskFailedExceptionWithRemoteTypeMessageAndStack()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var future = fixture.Client.Submit(RemoteFunctions.Explode, 7);

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => future.AsTask().WaitAsync(fixture.Token));
        Assert.Equal("System.InvalidOperationException", error.RemoteTypeName);
        Assert.Equal("the value 7 is not acceptable", error.RemoteMessage);
        Assert.Contains(nameof(RemoteFunctions.Explode), error.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Throws<TaskFailedException>(() => future.Result);
    }

    [Fact]
    public async Task Submit_FailureFromAPythonWorker_SaysItCannotBeRead()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.ForeignFailurePayload = [0x80, 0x05, 0x4b, 0x07, 0x2e];

        var future = fixture.Client.Submit(RemoteFunctions.Square, 3);

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => future.AsTask().WaitAsync(fixture.Token));
        Assert.Contains("Python", error.RemoteMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_WorkerDied_RaisesWorkerDiedException()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.WorkersDie = true;

        var future = fixture.Client.Submit(RemoteFunctions.Square, 3);

        var error = await Assert.ThrowsAsync<WorkerDiedException>(() => future.AsTask().WaitAsync(fixture.Token));
        Assert.Contains(future.Id, error.Message, StringComparison.Ordinal);
    }
}
