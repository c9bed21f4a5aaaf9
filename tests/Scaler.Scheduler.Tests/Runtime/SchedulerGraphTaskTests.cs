using Scaler.Protocol.Messages;
using static Scaler.Scheduler.Tests.Runtime.SchedulerHarness;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>Graph tasks: a → b(a), target b.</summary>
public sealed class SchedulerGraphTaskTests
{
    private static readonly byte[] ResultOfA = Enumerable.Repeat((byte)0xaa, 32).ToArray();

    private static GraphTask Chain(FakePeer client, bool cycle = false)
    {
        var a = NewTask(client, "a");
        if (cycle)
        {
            a = new TaskMessage
            {
                TaskId = a.TaskId,
                Source = a.Source,
                FuncObjectId = a.FuncObjectId,
                FunctionArgs = [new TaskMessage.Argument { Type = ArgumentType.Task, Data = "b"u8.ToArray() }],
            };
        }

        var b = new TaskMessage
        {
            TaskId = "b"u8.ToArray(),
            Source = client.IdentityBytes,
            FuncObjectId = new byte[32],
            FunctionArgs =
            [
                new TaskMessage.Argument { Type = ArgumentType.Task, Data = "a"u8.ToArray() },
                new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = new byte[32] },
            ],
        };
        return new GraphTask { TaskId = "g"u8.ToArray(), Source = client.IdentityBytes, Targets = [b.TaskId], Graph = [a, b] };
    }

    [Fact]
    public async Task Chain_RunsInDependencyOrder_WithTheParentsResultAsArgument_ThenTheGraphSucceeds()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1", queueSize: 4);

        await client.Send(Chain(client));

        var a = await worker.Expect<TaskMessage>();
        Assert.Equal("a"u8.ToArray(), a.TaskId);
        await worker.Send(new TaskResult { TaskId = a.TaskId, ResultType = TaskResultType.Success, Results = [ResultOfA] });
        var b = await worker.Expect<TaskMessage>();
        Assert.Equal("b"u8.ToArray(), b.TaskId);
        Assert.All(b.FunctionArgs, argument => Assert.Equal(ArgumentType.ObjectID, argument.Type));
        Assert.Equal(ResultOfA, b.FunctionArgs[0].Data);
        await worker.Send(Result(b));

        Assert.Equal("a"u8.ToArray(), (await client.Expect<TaskResult>()).TaskId);
        Assert.Equal("b"u8.ToArray(), (await client.Expect<TaskResult>()).TaskId);
        var graph = await client.Expect<TaskResult>();
        Assert.Equal("g"u8.ToArray(), graph.TaskId);
        Assert.Equal(TaskResultType.Success, graph.ResultType);
    }

    [Fact]
    public async Task FailedNode_FailsItsDependentWithItsError_AndTheGraphFails()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1", queueSize: 4);
        await client.Send(Chain(client));
        var a = await worker.Expect<TaskMessage>();

        await worker.Send(new TaskResult { TaskId = a.TaskId, ResultType = TaskResultType.Failed, Results = [ResultOfA] });

        Assert.Equal(TaskResultType.Failed, (await client.Expect<TaskResult>()).ResultType);
        var b = await client.Expect<TaskResult>();
        Assert.Equal("b"u8.ToArray(), b.TaskId);
        Assert.Equal(TaskResultType.Failed, b.ResultType);
        Assert.Equal(ResultOfA, Assert.Single(b.Results));
        var graph = await client.Expect<TaskResult>();
        Assert.Equal("g"u8.ToArray(), graph.TaskId);
        Assert.Equal(TaskResultType.Failed, graph.ResultType);
    }

    [Fact]
    public async Task CancelOfTheGraph_CancelsTheRunningNodeOnItsWorker_AndEverythingIsAnswered()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1", queueSize: 4);
        await client.Send(Chain(client));
        var a = await worker.Expect<TaskMessage>();

        await client.Send(new TaskCancel { TaskId = "g"u8.ToArray(), Flags = new TaskCancel.TaskCancelFlags() });
        Assert.Equal(a.TaskId, (await worker.Expect<TaskCancel>()).TaskId);
        await worker.Send(new TaskCancelConfirm { TaskId = a.TaskId, CancelConfirmType = TaskCancelConfirmType.Canceled });

        Assert.Equal("b"u8.ToArray(), (await client.Expect<TaskCancelConfirm>()).TaskId);
        Assert.Equal("a"u8.ToArray(), (await client.Expect<TaskCancelConfirm>()).TaskId);
        Assert.Equal("g"u8.ToArray(), (await client.Expect<TaskCancelConfirm>()).TaskId);
        await ExpectNothingMore(client);
    }

    [Fact]
    public async Task CyclicGraph_IsRefused_WithEveryNodeAnswered()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();

        await client.Send(Chain(client, cycle: true));

        Assert.Equal("a"u8.ToArray(), (await client.Expect<TaskCancelConfirm>()).TaskId);
        Assert.Equal("b"u8.ToArray(), (await client.Expect<TaskCancelConfirm>()).TaskId);
        Assert.Equal("g"u8.ToArray(), (await client.Expect<TaskCancelConfirm>()).TaskId);
    }
}
