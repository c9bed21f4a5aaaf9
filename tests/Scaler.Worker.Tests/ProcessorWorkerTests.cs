using System.Text;
using Scaler.Functions;
using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;
using Scaler.Worker.Processors;
using Scaler.Worker.Tests.Support;

namespace Scaler.Worker.Tests;

/// <summary>A real worker with a real processor process against a fake scheduler and a real object storage.</summary>
public sealed class ProcessorWorkerTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private PeerIdentity Worker => PeerIdentity.FromString(fixture.Options.Identity);

    [Fact]
    public async Task Heartbeat_CarriesTheWorkersFieldsAndItsProcessor()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (peer, heartbeat) = await fixture.Scheduler.ExpectAsync<WorkerHeartbeat>(
            cts.Token, (p, h) => p == Worker && h.Processors.Count == 1 && h.Processors[0].Initialized);

        var parts = peer.ToString().Split('|');
        Assert.Equal(4, parts.Length);
        Assert.Equal(["Worker", "FIX"], parts[..2]);
        Assert.Equal(7u, heartbeat.QueueSize);
        Assert.Equal("wm-tests", Encoding.UTF8.GetString(heartbeat.WorkerManagerID));
        Assert.Contains(heartbeat.Capabilities, c => c.Name == "linux" && c.Value == -1);
        Assert.Contains(heartbeat.Capabilities, c => c.Name == "cpu" && c.Value == 4);
        Assert.True(heartbeat.MemLimit > 0);
        Assert.True(heartbeat.RssFree > 0 && heartbeat.RssFree <= heartbeat.MemLimit);
        Assert.True(heartbeat.Agent.Rss > 0);
        Assert.True(heartbeat.Processors[0].Pid > 0);
        Assert.True(heartbeat.Processors[0].Resource.Rss > 0);
    }

    [Fact]
    public async Task Task_Succeeds_AndTheResultObjectHoldsTheValue()
    {
        var call = PackagedCall.Create(new Func<int, int>(TestFunctions.Square), 7);
        var (instruction, result) = await RunAsync(call);

        Assert.Equal(ObjectInstructionType.Create, instruction.InstructionType);
        Assert.Equal(fixture.Tasks.ClientIdentity, Encoding.UTF8.GetString(instruction.ObjectUser));
        Assert.Equal(result.Results[0], Assert.Single(instruction.ObjectMetadata.ObjectIds));
        Assert.Equal(ObjectContentType.Object, Assert.Single(instruction.ObjectMetadata.ObjectTypes));
        Assert.StartsWith("<res ObjectID(owner_hash=", Encoding.UTF8.GetString(Assert.Single(instruction.ObjectMetadata.ObjectNames)), StringComparison.Ordinal);
        Assert.Equal(TaskResultType.Success, result.ResultType);
        Assert.True(ProfileResult.TryRead(result.Metadata, out var profile));
        Assert.True(profile.DurationSeconds >= 0);
        Assert.Equal(49, await fixture.Tasks.ReadResultAsync(call, result.Results[0]));
        Assert.True(Scaler.Identity.ObjectId.FromBytes(result.Results[0]).IsOwnedBy(fixture.Tasks.Owner));

        // A success is stored where the client can ask for it before the task ends (decision 20).
        Assert.Equal(Scaler.Identity.ObjectId.ForTaskResult(fixture.Tasks.Owner, result.TaskId), Scaler.Identity.ObjectId.FromBytes(result.Results[0]));
    }

    [Fact]
    public async Task ThrowingTask_Fails_WithTheUsersErrorAsRemoteError()
    {
        var (_, result) = await RunAsync(PackagedCall.Create(new Func<int, int>(TestFunctions.Fail), 7));

        Assert.Equal(TaskResultType.Failed, result.ResultType);
        var error = await fixture.Tasks.ReadErrorAsync(result.Results[0]);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.TypeName);
        Assert.Contains("the value 7 is not acceptable", error.Message, StringComparison.Ordinal);

        // Never where a success would be: a client that finds an object there takes it as the task's result.
        Assert.Equal(Scaler.Identity.ObjectId.ForTaskError(fixture.Tasks.Owner, result.TaskId), Scaler.Identity.ObjectId.FromBytes(result.Results[0]));
    }

    [Fact]
    public async Task TaskThatKillsEveryProcessor_FailsAsProcessorDiedAfterTheRetries_AndTheWorkerServesTheNextTask()
    {
        var (_, died) = await RunAsync(PackagedCall.Create(new Func<int, int>(TestFunctions.Exit), 3));

        // Run in 1 + 3 processors, each of which it killed, then failed: as Dask's allowed-failures.
        Assert.Equal(TaskResultType.Failed, died.ResultType);
        var error = await fixture.Tasks.ReadErrorAsync(died.Results[0]);
        Assert.Equal(ProcessorProcessBackend.ProcessorDiedErrorType, error.TypeName);
        Assert.Contains("exit code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains($"ran {WorkerAgentOptions.DefaultRetriesAfterProcessorDeath + 1} times", error.Message, StringComparison.Ordinal);
        Assert.Equal(Scaler.Identity.ObjectId.ForTaskError(fixture.Tasks.Owner, died.TaskId), Scaler.Identity.ObjectId.FromBytes(died.Results[0]));

        var next = PackagedCall.Create(new Func<int, int>(TestFunctions.Square), 5);
        var (_, ok) = await RunAsync(next);
        Assert.Equal(TaskResultType.Success, ok.ResultType);
        Assert.Equal(25, await fixture.Tasks.ReadResultAsync(next, ok.Results[0]));
        Assert.False(fixture.Run.IsCompleted);
    }

    [Fact]
    public async Task TaskPastTheTimeout_IsKilledAndFails_AndTheWorkerGoesOn()
    {
        var (_, timedOut) = await RunAsync(PackagedCall.Create(new Func<int, int>(TestFunctions.Sleep), 60_000));

        Assert.Equal(TaskResultType.Failed, timedOut.ResultType);
        var error = await fixture.Tasks.ReadErrorAsync(timedOut.Results[0]);
        Assert.Equal(typeof(TimeoutException).FullName, error.TypeName);
        Assert.True(ProfileResult.TryRead(timedOut.Metadata, out var profile));
        Assert.True(profile.DurationSeconds >= WorkerFixture.TaskTimeout.TotalSeconds);

        var next = PackagedCall.Create(new Func<int, int>(TestFunctions.Square), 6);
        var (_, ok) = await RunAsync(next);
        Assert.Equal(36, await fixture.Tasks.ReadResultAsync(next, ok.Results[0]));
    }

    [Fact]
    public async Task Cancel_OfQueuedOrWaitingTaskCancelsIt_OfRunningTaskNeedsForce_AndNoneReportsAResult()
    {
        using var cts = new CancellationTokenSource(Bound);
        await WaitForIdleProcessorAsync(cts.Token);
        var running = await fixture.Tasks.CreateAsync(PackagedCall.Create(new Func<int, int>(TestFunctions.Sleep), 60_000));
        var ahead = new List<TaskMessage>();
        for (var i = 1; i < ProcessorProcessBackend.TasksPerProcessor; i++)
        {
            ahead.Add(await fixture.Tasks.CreateAsync(PackagedCall.Create(new Func<int, int>(TestFunctions.Square), i)));
        }

        var queued = await fixture.Tasks.CreateAsync(PackagedCall.Create(new Func<int, int>(TestFunctions.Square), 2));
        fixture.Scheduler.Drain();
        foreach (var sent in ahead.Prepend(running).Append(queued))
        {
            await fixture.Scheduler.SendAsync(Worker, sent);
        }

        // The first runs, the next ones wait in the processor behind it (sent ahead), the last stays in the worker's queue.
        await fixture.Scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, h) => p == Worker && h.QueuedTasks == 1 && h.Processors.Any(x => x.HasTask));
        var pid = fixture.Backend.CurrentProcessorPid;

        Assert.Equal(TaskCancelConfirmType.Canceled, await CancelAsync(queued.TaskId, force: false, cts.Token));
        foreach (var waiting in ahead)
        {
            Assert.Equal(TaskCancelConfirmType.Canceled, await CancelAsync(waiting.TaskId, force: false, cts.Token));
        }

        Assert.Equal(pid, fixture.Backend.CurrentProcessorPid);
        Assert.Equal(TaskCancelConfirmType.CancelFailed, await CancelAsync(running.TaskId, force: false, cts.Token));
        Assert.Equal(TaskCancelConfirmType.Canceled, await CancelAsync(running.TaskId, force: true, cts.Token));
        Assert.Equal(TaskCancelConfirmType.CancelNotFound, await CancelAsync(running.TaskId, force: true, cts.Token));

        var next = PackagedCall.Create(new Func<int, int>(TestFunctions.Square), 9);
        var task = await fixture.Tasks.CreateAsync(next);
        await fixture.Scheduler.SendAsync(Worker, task);
        var (_, result) = await fixture.Scheduler.ExpectAsync<TaskResult>(cts.Token);
        Assert.Equal(task.TaskId, result.TaskId);
        Assert.Equal(81, await fixture.Tasks.ReadResultAsync(next, result.Results[0]));
    }

    [Fact]
    public async Task ForcedCancel_OfTheRunningTask_GivesTheWaitingTaskBack_WhichThenRunsInTheNewProcessor()
    {
        using var cts = new CancellationTokenSource(Bound);
        await WaitForIdleProcessorAsync(cts.Token);
        var running = await fixture.Tasks.CreateAsync(PackagedCall.Create(new Func<int, int>(TestFunctions.Sleep), 60_000));
        var waitingCall = PackagedCall.Create(new Func<int, int>(TestFunctions.Square), 12);
        var waiting = await fixture.Tasks.CreateAsync(waitingCall);
        fixture.Scheduler.Drain();
        await fixture.Scheduler.SendAsync(Worker, running);
        await fixture.Scheduler.SendAsync(Worker, waiting);
        await fixture.Scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, h) => p == Worker && h.QueuedTasks == 0 && h.Processors.Any(x => x.HasTask));
        var killed = fixture.Backend.CurrentProcessorPid;

        Assert.Equal(TaskCancelConfirmType.Canceled, await CancelAsync(running.TaskId, force: true, cts.Token));

        var (_, result) = await fixture.Scheduler.ExpectAsync<TaskResult>(cts.Token);
        Assert.Equal(waiting.TaskId, result.TaskId);
        Assert.Equal(TaskResultType.Success, result.ResultType);
        Assert.Equal(144, await fixture.Tasks.ReadResultAsync(waitingCall, result.Results[0]));
        Assert.NotEqual(killed, fixture.Backend.CurrentProcessorPid);
    }

    [Fact]
    public async Task ProcessorKilledFromOutsideMidTask_TheTaskRunsAgainInTheNextProcessor_AndSucceeds()
    {
        using var cts = new CancellationTokenSource(Bound);
        await WaitForIdleProcessorAsync(cts.Token);
        var call = PackagedCall.Create(new Func<int, int>(TestFunctions.Sleep), 1500);
        var task = await fixture.Tasks.CreateAsync(call);
        fixture.Scheduler.Drain();
        await fixture.Scheduler.SendAsync(Worker, task);
        await fixture.Scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, h) => p == Worker && h.Processors.Any(x => x.HasTask));
        var victim = fixture.Backend.CurrentProcessorPid!.Value;

        using (var process = System.Diagnostics.Process.GetProcessById(victim))
        {
            process.Kill(); // SIGKILL, as the OOM killer or an operator would
        }

        var (_, result) = await fixture.Scheduler.ExpectAsync<TaskResult>(cts.Token, (_, r) => r.TaskId.AsSpan().SequenceEqual(task.TaskId));
        Assert.Equal(TaskResultType.Success, result.ResultType);
        Assert.Equal(1500, await fixture.Tasks.ReadResultAsync(call, result.Results[0]));
        Assert.NotEqual(victim, fixture.Backend.CurrentProcessorPid);
    }

    [Fact]
    public async Task ProcessorThatDies_OnlyTheTaskItRanIsRetried_AndTheTasksWaitingBehindItRunInTheNextProcessor()
    {
        using var cts = new CancellationTokenSource(Bound);
        await WaitForIdleProcessorAsync(cts.Token);
        var dying = await fixture.Tasks.CreateAsync(PackagedCall.Create(new Func<int, int>(TestFunctions.Exit), 4));
        var calls = Enumerable.Range(1, 5).Select(i => PackagedCall.Create(new Func<int, int>(TestFunctions.Square), i)).ToList();
        var waiting = new List<TaskMessage>();
        foreach (var call in calls)
        {
            waiting.Add(await fixture.Tasks.CreateAsync(call));
        }

        fixture.Scheduler.Drain();
        foreach (var sent in waiting.Prepend(dying))
        {
            await fixture.Scheduler.SendAsync(Worker, sent);
        }

        var results = new Dictionary<string, TaskResult>();
        while (results.Count < waiting.Count + 1)
        {
            var (_, result) = await fixture.Scheduler.ExpectAsync<TaskResult>(cts.Token);
            results[Convert.ToHexString(result.TaskId)] = result;
        }

        var died = results[Convert.ToHexString(dying.TaskId)];
        Assert.Equal(TaskResultType.Failed, died.ResultType);
        Assert.Equal(ProcessorProcessBackend.ProcessorDiedErrorType, (await fixture.Tasks.ReadErrorAsync(died.Results[0])).TypeName);
        for (var i = 0; i < waiting.Count; i++)
        {
            var result = results[Convert.ToHexString(waiting[i].TaskId)];
            Assert.Equal(TaskResultType.Success, result.ResultType);
            Assert.Equal((i + 1) * (i + 1), await fixture.Tasks.ReadResultAsync(calls[i], result.Results[0]));
        }
    }

    [Fact]
    public async Task ManyTasks_AllSucceedInOrder_ThroughSubmitAheadAndPrefetch()
    {
        using var cts = new CancellationTokenSource(Bound);
        await WaitForIdleProcessorAsync(cts.Token);
        var calls = Enumerable.Range(0, 40).Select(i => PackagedCall.Create(new Func<int, int>(TestFunctions.Square), i)).ToList();
        var tasks = new List<TaskMessage>();
        foreach (var call in calls)
        {
            tasks.Add(await fixture.Tasks.CreateAsync(call));
        }

        fixture.Scheduler.Drain();
        foreach (var task in tasks)
        {
            await fixture.Scheduler.SendAsync(Worker, task);
        }

        var order = new List<int>();
        for (var i = 0; i < tasks.Count; i++)
        {
            var (_, result) = await fixture.Scheduler.ExpectAsync<TaskResult>(cts.Token);
            var index = tasks.FindIndex(t => t.TaskId.AsSpan().SequenceEqual(result.TaskId));
            Assert.Equal(TaskResultType.Success, result.ResultType);
            Assert.Equal(index * index, await fixture.Tasks.ReadResultAsync(calls[index], result.Results[0]));
            order.Add(index);
        }

        Assert.Equal(Enumerable.Range(0, tasks.Count), order);
    }

    [Fact]
    public async Task ConsoleOutputOfUserCode_DoesNotDisturbTheProcessorChannel()
    {
        var call = PackagedCall.Create(new Func<string, string>(TestFunctions.Print), "hello");
        var (_, result) = await RunAsync(call);

        Assert.Equal(TaskResultType.Success, result.ResultType);
        Assert.Equal("hello!", await fixture.Tasks.ReadResultAsync(call, result.Results[0]));
    }

    private async Task WaitForIdleProcessorAsync(CancellationToken cancellationToken) =>
        await fixture.Scheduler.ExpectAsync<WorkerHeartbeat>(
            cancellationToken, (p, h) => p == Worker && h.QueuedTasks == 0 && h.Processors.Count == 1 && h.Processors[0].Initialized && !h.Processors[0].HasTask);

    private async Task<TaskCancelConfirmType> CancelAsync(byte[] taskId, bool force, CancellationToken cancellationToken)
    {
        await fixture.Scheduler.SendAsync(Worker, new TaskCancel { TaskId = taskId, Flags = new TaskCancel.TaskCancelFlags { Force = force } });
        var (_, confirm) = await fixture.Scheduler.ExpectAsync<TaskCancelConfirm>(cancellationToken, (_, c) => c.TaskId.AsSpan().SequenceEqual(taskId));
        return confirm.CancelConfirmType;
    }

    private async Task<(ObjectInstruction Instruction, TaskResult Result)> RunAsync(PackagedCall call)
    {
        using var cts = new CancellationTokenSource(Bound);
        var task = await fixture.Tasks.CreateAsync(call);
        await fixture.Scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == Worker);
        await fixture.Scheduler.SendAsync(Worker, task);
        var (_, instruction) = await fixture.Scheduler.ExpectAsync<ObjectInstruction>(cts.Token, (p, i) => p == Worker && i.ObjectUser.AsSpan().SequenceEqual(task.Source));
        var (_, result) = await fixture.Scheduler.ExpectAsync<TaskResult>(cts.Token, (p, r) => p == Worker && r.TaskId.AsSpan().SequenceEqual(task.TaskId));
        return (instruction, result);
    }
}
