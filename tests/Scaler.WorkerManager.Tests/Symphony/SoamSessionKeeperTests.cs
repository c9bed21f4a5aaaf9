using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Soam;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// The session keeper on its own, over an in-memory SOAM backend (<see cref="FakeSoamApi"/>) and a host that sends
/// whatever the keeper hands back: a lost session is replaced and its tasks sent again, a task is given up after
/// <see cref="SymphonyBackendOptions.MaxSessionLossesPerTask"/> losses, a session that cannot be opened is retried
/// with a doubling delay, and a task's own failure is not a session loss.
/// </summary>
public sealed class SoamSessionKeeperTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SessionAborted_TasksInFlight_AreSentAgainInANewSessionAndComplete()
    {
        using var cts = new CancellationTokenSource(Bound);
        var api = new FakeSoamApi();
        var host = new RecordingHost();
        await using var keeper = Keep(api, host);
        keeper.Start();
        await BackendTestKit.EventuallyAsync(() => keeper.IsOpen, cts.Token);
        var tasks = Enumerable.Range(0, 3).Select(i => Held("in flight " + i)).ToList();
        tasks.ForEach(host.Resend);
        var first = api.Sessions.Single();
        Assert.Equal(3, first.Inputs.Count);

        first.Abort("killed by an administrator");

        await BackendTestKit.EventuallyAsync(() => api.Sessions.Count == 2 && api.Sessions[1].Inputs.Count == 3, cts.Token);
        var second = api.Sessions[1];
        Assert.True(first.Closed);
        Assert.Equal(2, keeper.SessionsOpened);
        Assert.Equal(second.Id, keeper.SessionId);
        Assert.Equal(tasks.Select(t => Encoding.UTF8.GetString(t.Input!)), second.Inputs.Select(i => Encoding.UTF8.GetString(i.Input)));
        Assert.Equal(tasks.Select(t => t.Key.ToHexString()).Order(), host.Reclaimed.Select(t => t.Key.ToHexString()).Order());
        Assert.All(tasks, t => Assert.Equal(1, t.SessionLosses));
        Assert.Empty(host.GivenUp);

        foreach (var (taskId, input) in second.Inputs)
        {
            second.Answer(taskId, input);
        }

        Assert.Equal(tasks.Select(t => t.Key.ToHexString()).Order(), host.Outputs.Select(c => c.Task.Key.ToHexString()).Order());
        Assert.Equal(0, keeper.Waiting);
    }

    [Fact]
    public async Task TaskWhoseSessionIsLostMoreThanTheLimit_IsGivenUpWithTheReason()
    {
        using var cts = new CancellationTokenSource(Bound);
        var api = new FakeSoamApi();
        var host = new RecordingHost();
        await using var keeper = Keep(api, host);
        keeper.Start();
        await BackendTestKit.EventuallyAsync(() => keeper.IsOpen, cts.Token);
        var task = Held("refused everywhere");

        // Every session refuses it: each refusal loses that session, and the keeper sends it again in a new one.
        api.RefuseSends = true;
        host.Resend(task);

        var (givenUp, error) = await host.WaitForGiveUpAsync(cts.Token);
        Assert.Same(task, givenUp);
        Assert.Equal(4, task.SessionLosses);
        Assert.Equal(4, api.RefusedSends);
        Assert.Equal(typeof(SoamException).FullName, error.TypeName);
        Assert.Contains("session was lost 4 times", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused a task", error.Message, StringComparison.Ordinal);
        Assert.Empty(host.Outputs);

        // The keeper still keeps a session for the next tasks.
        await BackendTestKit.EventuallyAsync(() => keeper.IsOpen, cts.Token);
        Assert.Equal(1, api.Sessions.Count(s => !s.Closed));
    }

    [Fact]
    public async Task SessionCannotBeOpened_RetriedWithADoublingDelay_WaitingTasksSentOnceOpen()
    {
        using var cts = new CancellationTokenSource(Bound);
        var time = new FakeTimeProvider();
        var api = new FakeSoamApi(time, connectFailures: 2);
        var host = new RecordingHost();
        await using var keeper = Keep(api, host, time);
        var early = Held("before the session");
        host.Resend(early);
        Assert.Equal(1, keeper.Waiting);

        keeper.Start();
        while (!keeper.IsOpen)
        {
            // Small steps: a retry can only run once the clock has passed its delay, however late its timer started.
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(5, cts.Token);
        }

        var connects = api.Connects;
        Assert.Equal(3, connects.Count);
        Assert.True(connects[1] - connects[0] >= TimeSpan.FromMilliseconds(250), $"first retry after {connects[1] - connects[0]}");
        Assert.True(connects[2] - connects[1] >= TimeSpan.FromMilliseconds(500), $"second retry after {connects[2] - connects[1]}");
        await BackendTestKit.EventuallyAsync(() => api.Sessions.Single().Inputs.Count == 1, cts.Token);
        Assert.Equal("before the session", Encoding.UTF8.GetString(api.Sessions.Single().Inputs[0].Input));
        Assert.Equal(0, keeper.Waiting);
        Assert.Equal(1, host.SessionsOpenedCalls);
    }

    [Fact]
    public async Task TaskFailedBySymphonyItself_ReportedAsItsOwnFailure_SessionKept()
    {
        using var cts = new CancellationTokenSource(Bound);
        var api = new FakeSoamApi();
        var host = new RecordingHost();
        await using var keeper = Keep(api, host);
        keeper.Start();
        await BackendTestKit.EventuallyAsync(() => keeper.IsOpen, cts.Token);
        var failing = Held("fails");
        var other = Held("still running");
        host.Resend(failing);
        host.Resend(other);
        var session = api.Sessions.Single();

        session.FailTask(session.Inputs[0].TaskId, new SoamException("retries ran out", new FatalException("the service gave up")));

        var (task, completion, sessionId) = Assert.Single(host.Failures);
        Assert.Same(failing, task);
        Assert.Equal(session.Id, sessionId);
        Assert.IsType<FatalException>(completion.Error?.EmbeddedException);
        Assert.Empty(host.Reclaimed);
        Assert.Equal(1, keeper.SessionsOpened);
        Assert.False(session.Closed);
        Assert.Equal(0, failing.SessionLosses);
    }

    private static SoamSessionKeeper Keep(ISoamApi api, RecordingHost host, TimeProvider? time = null)
    {
        var keeper = new SoamSessionKeeper(
            api,
            new SymphonyBackendOptions { ApplicationName = "KeeperApp", WorkerIdentity = "keeper-test", MaxTaskConcurrency = 4 },
            host,
            time ?? TimeProvider.System,
            NullLoggerFactory.Instance,
            NullLogger.Instance);
        host.Attach(keeper);
        return keeper;
    }

    private static InFlightTask Held(string input)
    {
        var message = new TaskMessage { TaskId = Guid.NewGuid().ToByteArray(), Source = "Client|keeper-test"u8.ToArray(), FuncObjectId = new byte[32] };
        return new InFlightTask(message, new TaskId(message.TaskId)) { Input = Encoding.UTF8.GetBytes(input) };
    }

    /// <summary>
    /// Stands for the backend: sends what the keeper hands back into the open session (no slot bound) and records the
    /// rest of what the keeper tells it.
    /// </summary>
    private sealed class RecordingHost : ISoamSessionHost
    {
        private readonly ConcurrentQueue<InFlightTask> _reclaimed = new();
        private readonly ConcurrentQueue<(InFlightTask Task, SoamTaskCompletion Completion)> _completed = new();
        private readonly ConcurrentQueue<(InFlightTask Task, SoamTaskCompletion Completion, string SessionId)> _failed = new();
        private readonly ConcurrentQueue<(InFlightTask Task, RemoteError Error)> _givenUp = new();
        private readonly TaskCompletionSource<(InFlightTask Task, RemoteError Error)> _firstGiveUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private SoamSessionKeeper? _keeper;
        private int _sessionsOpened;

        public IReadOnlyList<InFlightTask> Reclaimed => [.. _reclaimed];

        public IReadOnlyList<(InFlightTask Task, SoamTaskCompletion Completion)> Outputs => [.. _completed];

        public IReadOnlyList<(InFlightTask Task, SoamTaskCompletion Completion, string SessionId)> Failures => [.. _failed];

        public IReadOnlyList<(InFlightTask Task, RemoteError Error)> GivenUp => [.. _givenUp];

        public int SessionsOpenedCalls => Volatile.Read(ref _sessionsOpened);

        /// <summary>The keeper this host sends through (the test owns and disposes it).</summary>
        public void Attach(SoamSessionKeeper keeper) => _keeper = keeper;

        public Task<(InFlightTask Task, RemoteError Error)> WaitForGiveUpAsync(CancellationToken cancellationToken) =>
            _firstGiveUp.Task.WaitAsync(cancellationToken);

        public IReadOnlyList<InFlightTask> Reclaim(IReadOnlyList<InFlightTask> lost)
        {
            foreach (var task in lost)
            {
                _reclaimed.Enqueue(task);
            }

            return lost;
        }

        public void Resend(InFlightTask task)
        {
            var keeper = _keeper!;
            if (keeper.CurrentOrPark(task) is { } session)
            {
                keeper.Submit(session, task, task.Input!);
            }
        }

        public void SlotsFreed()
        {
        }

        public void SessionOpened() => Interlocked.Increment(ref _sessionsOpened);

        public void Completed(InFlightTask task, SoamTaskCompletion completion) => _completed.Enqueue((task, completion));

        public void FailedInSymphony(InFlightTask task, SoamTaskCompletion completion, string sessionId) =>
            _failed.Enqueue((task, completion, sessionId));

        public void GiveUp(InFlightTask task, RemoteError error)
        {
            _givenUp.Enqueue((task, error));
            _firstGiveUp.TrySetResult((task, error));
        }
    }
}
