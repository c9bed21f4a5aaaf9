using Microsoft.Extensions.Time.Testing;
using Scaler.Identity;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Policies.Scaling;
using Scaler.Scheduler.Tasks;
using Scaler.Scheduler.Tests.Tasks;
using Scaler.Scheduler.Tracking;
using static Scaler.Scheduler.Tests.Ids;

namespace Scaler.Scheduler.Tests.Tracking;

public sealed class RegistryTests
{
    private static readonly WorkerManagerId Manager = WorkerManagerId.FromString("wm");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingEffects _effects = new();
    private readonly TaskManager _tasks;
    private readonly WorkerRegistry _workers;
    private readonly ClientRegistry _clients;

    public RegistryTests()
    {
        _tasks = new TaskManager(new EvenLoadAllocationPolicy(), _effects, _time);
        _workers = new WorkerRegistry(_tasks, _time, Timeout);
        _clients = new ClientRegistry(_tasks, _time, Timeout);
    }

    [Fact]
    public void HeartbeatTracker_ExpiresOnlyPeersSilentLongerThanTheTimeout()
    {
        var tracker = new HeartbeatTracker<string>(_time);
        Assert.True(tracker.Beat("a"));
        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.True(tracker.Beat("b"));
        tracker.Touch("c"); // unknown: not registered by mere activity

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(tracker.RemoveExpired(Timeout)); // "a" silent exactly 60 s: not longer

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["a"], tracker.RemoveExpired(Timeout));
        Assert.Equal(TimeSpan.FromSeconds(21), tracker.SilenceOf("b"));
        Assert.False(tracker.Contains("c"));
    }

    [Fact]
    public void WorkerHeartbeat_FirstOneAddsTheWorker_WhichTakesQueuedTasks()
    {
        _tasks.Submit(new SchedulerTask(T("t1"), C("c"), Capabilities.None, []));

        Assert.True(_workers.OnHeartbeat(W("w1"), Manager, Capabilities.None, 4));
        Assert.False(_workers.OnHeartbeat(W("w1"), Manager, Capabilities.None, 4));

        Assert.Equal(["task t1 -> w1"], _effects.Take());
        Assert.Equal(1, _workers.CountOf(Manager));
    }

    [Fact]
    public void SilentWorker_TimesOut_AndItsTasksMoveToALiveWorker()
    {
        _workers.OnHeartbeat(W("w1"), Manager, Capabilities.None, 1);
        _tasks.Submit(new SchedulerTask(T("t1"), C("c"), Capabilities.None, []));
        _time.Advance(TimeSpan.FromSeconds(30));
        _workers.OnHeartbeat(W("w2"), Manager, Capabilities.None, 1);
        _effects.Take();

        _time.Advance(TimeSpan.FromSeconds(31)); // w1 silent 61 s, w2 31 s
        Assert.Equal([W("w1")], _workers.RemoveTimedOut());

        Assert.Equal(["task t1 -> w2"], _effects.Take());
        Assert.Equal(1, _workers.Count);
        _tasks.CheckInvariants();
    }

    [Fact]
    public void SnapshotFor_CountsTasksAllWorkersAndTheManagersOwn()
    {
        _workers.OnHeartbeat(W("w1"), Manager, Capabilities.None, 1);
        _workers.OnHeartbeat(W("w2"), WorkerManagerId.FromString("other"), Capabilities.None, 1);
        for (var i = 0; i < 25; i++)
        {
            _tasks.Submit(new SchedulerTask(T($"t{i}"), C("c"), Capabilities.None, []));
        }

        var snapshot = _workers.SnapshotFor(Manager, maxTaskConcurrency: -1);

        Assert.Equal((25, 2, 1), (snapshot.TaskCount, snapshot.WorkerCount, snapshot.ManagedWorkerCount));
        // 25 tasks / 2 workers = 12.5 > 10: this manager (1 worker) is asked for 2.
        var request = Assert.Single(Assert.Single(new VanillaScalingPolicy().GetScalingCommands(snapshot)).Requests);
        Assert.Equal(2, request.TaskConcurrency);
    }

    [Fact]
    public void SilentClient_TimesOut_AndItsRunningTaskIsForceCanceled()
    {
        _workers.OnHeartbeat(W("w1"), Manager, Capabilities.None, 1);
        _clients.OnHeartbeat(C("c"));
        _tasks.Submit(new SchedulerTask(T("t1"), C("c"), Capabilities.None, []));
        _effects.Take();

        _time.Advance(TimeSpan.FromSeconds(50));
        _clients.OnActivity(C("c"));
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Empty(_clients.RemoveTimedOut()); // activity 50 s ago kept it alive

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal([C("c")], _clients.RemoveTimedOut());
        Assert.Equal(["cancel t1 -> w1 (force)"], _effects.Take());
        Assert.False(_clients.IsConnected(C("c")));
    }
}
