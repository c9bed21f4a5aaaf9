using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;
using Scaler.Worker.Tests.Support;

namespace Scaler.Worker.Tests;

/// <summary>The scheduler-facing agent with a hand-driven backend: no processes, so these are quick.</summary>
#pragma warning disable CA1001 // xunit disposes test classes through IAsyncLifetime.DisposeAsync
public sealed class WorkerAgentTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly StubBackend _backend = new();
    private readonly CancellationTokenSource _shutdown = new();
    private ObjectStorageServer _storage = null!;
    private ObjectStorageClient _client = null!;
    private FakeScheduler _scheduler = null!;

    public async Task InitializeAsync()
    {
        _storage = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, CancellationToken.None);
        _client = await ObjectStorageClient.ConnectAsync(_storage.LocalAddress, "Client|agent-tests", NullLoggerFactory.Instance, CancellationToken.None);
        _scheduler = await FakeScheduler.StartAsync(_storage.LocalAddress);
    }

    public async Task DisposeAsync()
    {
        await _shutdown.CancelAsync();
        await _scheduler.DisposeAsync();
        await _client.DisposeAsync();
        await _storage.DisposeAsync();
        _shutdown.Dispose();
    }

    [Fact]
    public async Task QueuedTasks_RunByPriorityThenArrival_AndPayloadCompletionsAreStoredAndReported()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (agent, run) = Start(TimeSpan.FromSeconds(30));
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            var first = Task(0);
            var low = Task(0);
            var high = Task(5);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            await _scheduler.SendAsync(worker, first);
            Assert.Equal(first.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
            Assert.Equal(_storage.LocalAddress, _backend.StartedWith);

            await _scheduler.SendAsync(worker, low);
            await _scheduler.SendAsync(worker, high);
            var (_, busy) = await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (_, h) => h.QueuedTasks == 2);
            Assert.True(busy.TaskLock);

            _backend.Complete(TaskResultType.Success, "payload-1"u8.ToArray());
            var (_, instruction) = await _scheduler.ExpectAsync<ObjectInstruction>(cts.Token);
            var (_, result) = await _scheduler.ExpectAsync<TaskResult>(cts.Token);
            Assert.Equal(first.TaskId, result.TaskId);
            Assert.Equal(TaskResultType.Success, result.ResultType);
            Assert.Equal(first.Source, instruction.ObjectUser);
            Assert.Equal(result.Results[0], instruction.ObjectMetadata.ObjectIds[0]);
            var stored = await _client.GetAsync(ObjectId.FromBytes(result.Results[0]), cts.Token);
            Assert.Equal("payload-1", Encoding.UTF8.GetString(stored.Span));
            Assert.True(ObjectId.FromBytes(result.Results[0]).IsOwnedBy(ObjectOwner.FromClientIdentity(first.Source)));

            Assert.Equal(high.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
            _backend.Complete(TaskResultType.Failed, "e"u8.ToArray());
            Assert.Equal(low.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
            Assert.False(run.IsCompleted);
        }
    }

    [Fact]
    public async Task SchedulerThatStopsEchoing_EndsTheWorkerAfterTheDeathTimeout_WithFailure()
    {
        _scheduler.EchoHeartbeats = false;
        var (agent, run) = Start(TimeSpan.FromSeconds(1));
        await using (agent)
        {
            Assert.Equal(WorkerExitCodes.Failed, await run.WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task Shutdown_SendsDisconnectRequest_AndEndsCleanlyOnTheResponse()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (agent, run) = Start(TimeSpan.FromSeconds(30));
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            await _shutdown.CancelAsync();
            var (_, request) = await _scheduler.ExpectAsync<DisconnectRequest>(cts.Token);
            Assert.Equal(agent.Identity, Encoding.UTF8.GetString(request.Worker));
            Assert.Equal(WorkerExitCodes.Clean, await run.WaitAsync(cts.Token));
        }
    }

    [Fact]
    public async Task ClientShutdown_EndsTheWorkerCleanly()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (agent, run) = Start(TimeSpan.FromSeconds(30));
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            await _scheduler.SendAsync(worker, new ClientDisconnect { DisconnectType = DisconnectType.Shutdown });
            Assert.Equal(WorkerExitCodes.Clean, await run.WaitAsync(cts.Token));
        }
    }

    [Fact]
    public async Task SchedulerRestartedOnTheSamePort_TheWorkerDropsItsTasks_AndServesTheNewScheduler()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (agent, run) = Start(TimeSpan.FromSeconds(30));
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            var running = Task(0);
            var queued = Task(0);
            await _scheduler.SendAsync(worker, running);
            await _scheduler.SendAsync(worker, queued);
            Assert.Equal(running.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, h) => p == worker && h.QueuedTasks == 1);

            // The scheduler dies; another one starts on its port, knowing nothing of this worker or its tasks.
            var address = _scheduler.Address;
            await _scheduler.DisposeAsync();
            _scheduler = await FakeScheduler.StartAsync(_storage.LocalAddress, address);

            var (_, registered) = await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            Assert.Equal(0u, registered.QueuedTasks);
            Assert.Null(_backend.Running);
            var fresh = Task(0);
            await _scheduler.SendAsync(worker, fresh);
            Assert.Equal(fresh.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
            _backend.Complete(TaskResultType.Success, "new"u8.ToArray());
            var (_, result) = await _scheduler.ExpectAsync<TaskResult>(cts.Token);
            Assert.Equal(fresh.TaskId, result.TaskId);

            // The task queued for the dead scheduler was dropped, not run after the new one.
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, h) => p == worker && !h.TaskLock);
            Assert.False(_backend.Submitted.Reader.TryRead(out _));
            Assert.False(run.IsCompleted);
        }
    }

    [Fact]
    public async Task LostSchedulerThatNeverComesBack_EndsTheWorkerAfterTheDeathTimeout_WithFailure()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (agent, run) = Start(TimeSpan.FromSeconds(2));
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            await _scheduler.DisposeAsync();
            var lost = System.Diagnostics.Stopwatch.StartNew();
            _scheduler = await FakeScheduler.StartAsync(_storage.LocalAddress);

            Assert.Equal(WorkerExitCodes.Failed, await run.WaitAsync(cts.Token));
            Assert.True(lost.Elapsed >= TimeSpan.FromSeconds(1.5), $"gave up after {lost.Elapsed}");
        }
    }

    [Fact]
    public async Task TaskWhoseProcessorDies_RunsAgainThreeTimes_ThenFailsAsProcessorDied()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (agent, run) = Start(TimeSpan.FromSeconds(30));
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            var dying = Task(0);
            var behind = Task(0);
            await StoreSerializerAsync(dying);
            await _scheduler.SendAsync(worker, dying);
            await _scheduler.SendAsync(worker, behind);
            for (var run1 = 1; run1 <= WorkerAgentOptions.DefaultRetriesAfterProcessorDeath + 1; run1++)
            {
                // Run again first, ahead of the task that waited behind it.
                Assert.Equal(dying.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
                _backend.FailAsProcessorDied("the processor running this task died (exit code 137)");
            }

            var (_, result) = await _scheduler.ExpectAsync<TaskResult>(cts.Token);
            Assert.Equal(dying.TaskId, result.TaskId);
            Assert.Equal(TaskResultType.Failed, result.ResultType);
            var error = RemoteError.Read((await _client.GetAsync(ObjectId.FromBytes(result.Results[0]), cts.Token)).Span);
            Assert.Equal("Scaler.Worker.ProcessorDiedException", error.TypeName);
            Assert.Contains("exit code 137", error.Message, StringComparison.Ordinal);
            Assert.Contains("ran 4 times", error.Message, StringComparison.Ordinal);

            Assert.Equal(behind.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
            Assert.False(run.IsCompleted);
        }
    }

    [Fact]
    public async Task TaskWhoseProcessorDiedOnce_SucceedsOnItsRetry_AndOnlyThatResultIsReported()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (agent, _) = Start(TimeSpan.FromSeconds(30));
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            var task = Task(0);
            await _scheduler.SendAsync(worker, task);
            Assert.Equal(task.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
            _backend.FailAsProcessorDied("the processor running this task died (exit code 137)");
            Assert.Equal(task.TaskId, (await _backend.Submitted.Reader.ReadAsync(cts.Token)).TaskId);
            _backend.Complete(TaskResultType.Success, "second run"u8.ToArray());

            var (_, result) = await _scheduler.ExpectAsync<TaskResult>(cts.Token);
            Assert.Equal(task.TaskId, result.TaskId);
            Assert.Equal(TaskResultType.Success, result.ResultType);
            Assert.Equal("second run", Encoding.UTF8.GetString((await _client.GetAsync(ObjectId.FromBytes(result.Results[0]), cts.Token)).Span));
        }
    }

    [Fact]
    public async Task NoRetriesConfigured_TheFirstProcessorDeathFailsTheTask()
    {
        using var cts = new CancellationTokenSource(Bound);
        var (agent, _) = Start(TimeSpan.FromSeconds(30), retriesAfterProcessorDeath: 0);
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            var task = Task(0);
            await StoreSerializerAsync(task);
            await _scheduler.SendAsync(worker, task);
            await _backend.Submitted.Reader.ReadAsync(cts.Token);
            _backend.FailAsProcessorDied("the processor running this task died (exit code 9)");

            var (_, result) = await _scheduler.ExpectAsync<TaskResult>(cts.Token);
            Assert.Equal(TaskResultType.Failed, result.ResultType);
            var error = RemoteError.Read((await _client.GetAsync(ObjectId.FromBytes(result.Results[0]), cts.Token)).Span);
            Assert.Contains("ran once", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BackendThatCannotStopRunningTasks_CancelFailedUnlessTheBackendStoppedIt_ForcedOrNot()
    {
        using var cts = new CancellationTokenSource(Bound);
        _backend.CancelsRunning = false;
        _backend.RefuseCancel = true;
        var (agent, _) = Start(TimeSpan.FromSeconds(30));
        await using (agent)
        {
            var worker = PeerIdentity.FromString(agent.Identity);
            await _scheduler.ExpectAsync<WorkerHeartbeat>(cts.Token, (p, _) => p == worker);
            var sent = Task(0);
            await _scheduler.SendAsync(worker, sent);
            await _backend.Submitted.Reader.ReadAsync(cts.Token);

            await _scheduler.SendAsync(worker, Cancel(sent, force: true));
            var (_, refused) = await _scheduler.ExpectAsync<TaskCancelConfirm>(cts.Token);
            Assert.Equal(TaskCancelConfirmType.CancelFailed, refused.CancelConfirmType);
            _backend.Complete(TaskResultType.Success, "still reported"u8.ToArray());
            var (_, result) = await _scheduler.ExpectAsync<TaskResult>(cts.Token);
            Assert.Equal(sent.TaskId, result.TaskId);

            _backend.RefuseCancel = false;
            var notYetSent = Task(0);
            await _scheduler.SendAsync(worker, notYetSent);
            await _backend.Submitted.Reader.ReadAsync(cts.Token);
            await _scheduler.SendAsync(worker, Cancel(notYetSent, force: false));
            var (_, cancelled) = await _scheduler.ExpectAsync<TaskCancelConfirm>(cts.Token);
            Assert.Equal(TaskCancelConfirmType.Canceled, cancelled.CancelConfirmType);
            Assert.Equal(notYetSent.TaskId, cancelled.TaskId);
        }
    }

    private static TaskCancel Cancel(TaskMessage task, bool force) =>
        new() { TaskId = task.TaskId, Flags = new TaskCancel.TaskCancelFlags { Force = force } };

    /// <summary>
    /// Stores a serializer object for the task's client, so the worker learns at once that it is not a Python client
    /// (otherwise a failure the worker writes itself waits for it, up to ClientLanguages.FetchBound).
    /// </summary>
    private async Task StoreSerializerAsync(TaskMessage task) =>
        await _client.SetAsync(ObjectId.ForSerializer(ObjectOwner.FromClientIdentity(task.Source)), "msgpack"u8.ToArray(), CancellationToken.None);

    private (WorkerAgent Agent, Task<int> Run) Start(
        TimeSpan deathTimeout, int retriesAfterProcessorDeath = WorkerAgentOptions.DefaultRetriesAfterProcessorDeath)
    {
        var agent = new WorkerAgent(
            new WorkerAgentOptions
            {
                SchedulerAddress = _scheduler.Address,
                Identity = WorkerIdentity.Generate(WorkerIdentity.NewWorkerName("NAT")),
                HeartbeatInterval = TimeSpan.FromMilliseconds(100),
                DeathTimeout = deathTimeout,
                RetriesAfterProcessorDeath = retriesAfterProcessorDeath,
            },
            _backend,
            NullLoggerFactory.Instance);
        return (agent, agent.RunAsync(_shutdown.Token));
    }

    private static TaskMessage Task(int priority) => new()
    {
        TaskId = Guid.NewGuid().ToByteArray(),
        Source = Encoding.UTF8.GetBytes("Client|agent-tests"),
        Metadata = new TaskFlags(true, priority, false).ToBytes(),
        FuncObjectId = new byte[32],
    };
}
