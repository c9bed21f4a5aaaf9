using Scaler.Protocol.Messages;
using Scaler.Scheduler.Tasks;
using static Scaler.Scheduler.Tests.Runtime.SchedulerHarness;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>Through the binder: which departures count as a worker dying under a task, and what the client sees at the limit.</summary>
public sealed class SchedulerWorkerDeathLimitTests
{
    [Fact]
    public async Task TaskWhoseWorkersAllDie_FailsWithWorkerDied_OnTheFourthDeath()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var task = NewTask(client, "t1");
        await client.Send(task);
        for (var death = 1; death <= TaskManager.DefaultRetriesAfterWorkerDeath + 1; death++)
        {
            var worker = await JoinAndTakeAsync(harness, $"w{death}", task);
            await worker.DisposeAsync();
        }

        var result = await client.Expect<TaskResult>();
        Assert.Equal(task.TaskId, result.TaskId);
        Assert.Equal(TaskResultType.FailedWorkerDied, result.ResultType);
        await ExpectNothingMore(client);
    }

    [Fact]
    public async Task WorkersThatDisconnectPolitely_DoNotUseUpTheTasksRetries()
    {
        await using var harness = await StartAsync();
        var client = await harness.ClientAsync();
        var task = NewTask(client, "t1");
        await client.Send(task);
        for (var i = 1; i <= TaskManager.DefaultRetriesAfterWorkerDeath + 1; i++)
        {
            var worker = await JoinAndTakeAsync(harness, $"w{i}", task);
            await worker.Send(new DisconnectRequest { Worker = worker.IdentityBytes });
            await worker.ExpectEventually<DisconnectResponse>();
            await worker.DisposeAsync();
        }

        var last = await JoinAndTakeAsync(harness, "last", task);
        await last.Send(Result(task, "done"));
        Assert.Equal(TaskResultType.Success, (await client.Expect<TaskResult>()).ResultType);
    }

    /// <summary>
    /// A worker joins and is given the task. The scheduler may see this worker's heartbeat before the previous worker's
    /// departure (two connections, no order between them): then the task reaches it only once that departure requeues it.
    /// </summary>
    private static async Task<FakePeer> JoinAndTakeAsync(SchedulerHarness harness, string name, TaskMessage task)
    {
        var worker = await harness.ConnectAsync($"Worker|{name}");
        await worker.Send(new WorkerHeartbeat { Agent = new Resource(), QueueSize = 1 });
        Assert.Equal(task.TaskId, (await worker.ExpectEventually<TaskMessage>()).TaskId);
        return worker;
    }
}
