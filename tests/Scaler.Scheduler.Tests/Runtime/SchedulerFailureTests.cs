using Scaler.Protocol.Messages;
using static Scaler.Scheduler.Tests.Runtime.SchedulerHarness;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>Workers and clients that go away, and the reference bugs around them (#883, #962, #983).</summary>
public sealed class SchedulerFailureTests
{
    [Fact]
    public async Task WorkerDyingMidTask_TaskGoesToAnotherWorker_AndALateResultFromTheDeadOneIsNotDelivered()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var w1 = await harness.WorkerAsync("w1");
        var task = NewTask(client, "t1");
        await client.Send(task);
        await w1.Expect<TaskMessage>();
        var w2 = await harness.WorkerAsync("w2");

        await w1.DisposeAsync();
        Assert.Equal(task.TaskId, (await w2.Expect<TaskMessage>()).TaskId);

        // The dead worker's identity comes back and reports the old run: not its task any more.
        var ghost = await harness.ConnectAsync("Worker|w1");
        await ghost.Send(Result(task, "late"));
        await ghost.Send(new DisconnectRequest { Worker = ghost.IdentityBytes });
        await ghost.Expect<DisconnectResponse>();

        await w2.Send(Result(task, "good"));
        Assert.Equal("good"u8.ToArray(), (await client.Expect<TaskResult>()).Metadata);
        await ExpectNothingMore(client);
    }

    [Fact]
    public async Task WorkerTimingOut_TaskGoesToAnotherWorker_AndItsLateResultIsIgnored()
    {
        await using var harness = await StartAsync(options => options with { WorkerTimeout = TimeSpan.FromSeconds(5) });
        var client = await harness.ClientAsync();
        var w1 = await harness.WorkerAsync("w1");
        var task = NewTask(client, "t1");
        await client.Send(task);
        await w1.Expect<TaskMessage>();
        harness.Advance(3);
        var w2 = await harness.WorkerAsync("w2");

        harness.Advance(3);
        Assert.Equal(task.TaskId, (await w2.Expect<TaskMessage>()).TaskId);

        await w1.Send(Result(task, "late"));
        await w1.Send(new DisconnectRequest { Worker = w1.IdentityBytes });
        await w1.Expect<DisconnectResponse>();
        await w2.Send(Result(task, "good"));

        Assert.Equal("good"u8.ToArray(), (await client.Expect<TaskResult>()).Metadata);
        await ExpectNothingMore(client);
    }

    [Fact]
    public async Task WorkerDisconnectRequest_IsAnswered_AndItsTasksAreRequeued()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var w1 = await harness.WorkerAsync("w1");
        var task = NewTask(client, "t1");
        await client.Send(task);
        await w1.Expect<TaskMessage>();

        await w1.Send(new DisconnectRequest { Worker = w1.IdentityBytes });
        Assert.Equal(w1.IdentityBytes, (await w1.Expect<DisconnectResponse>()).Worker);

        // As in the reference, a joining worker gets the waiting task before its heartbeat echo.
        var w2 = await harness.ConnectAsync("Worker|w2");
        await w2.Send(new WorkerHeartbeat { Agent = new Resource(), QueueSize = 1 });
        Assert.Equal(task.TaskId, (await w2.Expect<TaskMessage>()).TaskId);
        await w2.Expect<WorkerHeartbeatEcho>();
    }

    [Fact]
    public async Task ClientDisconnect_CancelsItsRunningTaskOnTheWorker_Bug983()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var running = NewTask(client, "running");
        var queued = NewTask(client, "queued");
        await client.Send(running);
        await client.Send(queued);
        await worker.Expect<TaskMessage>();

        await client.Send(new ClientDisconnect { DisconnectType = DisconnectType.Disconnect });
        var cancel = await worker.Expect<TaskCancel>();
        Assert.Equal(running.TaskId, cancel.TaskId);
        Assert.True(cancel.Flags.Force);

        // Once the worker confirms, its slot is free, and the queued task of the gone client is not sent to it.
        await worker.Send(new TaskCancelConfirm { TaskId = running.TaskId, CancelConfirmType = TaskCancelConfirmType.Canceled });
        await Heartbeat(worker);
        var other = await harness.ClientAsync("c2");
        var next = NewTask(other, "next");
        await other.Send(next);
        Assert.Equal(next.TaskId, (await worker.Expect<TaskMessage>()).TaskId);
    }

    [Fact]
    public async Task ClientConnectionClosing_AlsoCancelsItsRunningTask()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var task = NewTask(client, "t1");
        await client.Send(task);
        await worker.Expect<TaskMessage>();

        await client.DisposeAsync();

        Assert.Equal(task.TaskId, (await worker.Expect<TaskCancel>()).TaskId);
    }

    [Fact]
    public async Task ClientHeartbeatTimeout_CancelsItsRunningTask()
    {
        await using var harness = await StartAsync(options => options with { ClientTimeout = TimeSpan.FromSeconds(5) });
        var client = await harness.ClientAsync();
        var worker = await harness.WorkerAsync("w1");
        var task = NewTask(client, "t1");
        await client.Send(task);
        await worker.Expect<TaskMessage>();

        harness.Advance(6);

        Assert.Equal(task.TaskId, (await worker.Expect<TaskCancel>()).TaskId);
    }

    /// <summary>Sets up w1 holding four tasks and an idle w2, then lets balancing ask w1 to give one up.</summary>
    private static async Task<(FakePeer Client, FakePeer W1, FakePeer W2, TaskMessage[] Tasks, TaskCancel Cancel)> BalancedAsync(
        SchedulerHarness harness)
    {
        var client = await harness.ClientAsync();
        var w1 = await harness.WorkerAsync("w1", queueSize: 4);
        var tasks = Enumerable.Range(0, 4).Select(i => NewTask(client, "t" + i)).ToArray();
        foreach (var task in tasks)
        {
            await client.Send(task);
            await w1.Expect<TaskMessage>();
        }

        var w2 = await harness.WorkerAsync("w2", queueSize: 4);

        // Same advice three rounds in a row (trigger times 2): acted on once.
        harness.Advance(3);
        var cancel = await w1.Expect<TaskCancel>();
        Assert.False(cancel.Flags.Force);
        return (client, w1, w2, tasks, cancel);
    }

    [Fact]
    public async Task BalanceCancel_ThenWorkerDeath_LeavesNoStuckTask_Bug883()
    {
        await using var harness = await StartAsync();
        var (client, w1, w2, tasks, _) = await BalancedAsync(harness);

        await w1.DisposeAsync();
        var moved = new List<byte[]>();
        for (var i = 0; i < tasks.Length; i++)
        {
            var task = await w2.Expect<TaskMessage>();
            moved.Add(task.TaskId);
            await w2.Send(Result(task));
        }

        Assert.Equal(tasks.Select(task => task.TaskId).Order(ByteArrayComparer.Instance), moved.Order(ByteArrayComparer.Instance));
        for (var i = 0; i < tasks.Length; i++)
        {
            await client.Expect<TaskResult>();
        }

        await ExpectNothingMore(client);
    }

    [Fact]
    public async Task BalanceCancel_AnsweredNotFound_PlacesTheTaskAgain_Bug962()
    {
        await using var harness = await StartAsync();
        var (client, w1, w2, _, cancel) = await BalancedAsync(harness);

        await w1.Send(new TaskCancelConfirm { TaskId = cancel.TaskId, CancelConfirmType = TaskCancelConfirmType.CancelNotFound });
        var moved = await w2.Expect<TaskMessage>();
        Assert.Equal(cancel.TaskId, moved.TaskId);

        await w2.Send(Result(moved));
        Assert.Equal(cancel.TaskId, (await client.Expect<TaskResult>()).TaskId);
    }

    [Fact]
    public async Task BalanceCancel_Confirmed_MovesTheTaskToTheIdleWorker()
    {
        await using var harness = await StartAsync();
        var (_, w1, w2, _, cancel) = await BalancedAsync(harness);

        await w1.Send(new TaskCancelConfirm { TaskId = cancel.TaskId, CancelConfirmType = TaskCancelConfirmType.Canceled });

        Assert.Equal(cancel.TaskId, (await w2.Expect<TaskMessage>()).TaskId);
    }

    private sealed class ByteArrayComparer : IComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
