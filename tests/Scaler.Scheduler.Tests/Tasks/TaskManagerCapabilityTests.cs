using Microsoft.Extensions.Time.Testing;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Tasks;
using static Scaler.Scheduler.Tests.Ids;

namespace Scaler.Scheduler.Tests.Tasks;

public sealed class TaskManagerCapabilityTests
{
    private static readonly Dictionary<string, long> Gpu = new() { ["gpu"] = -1 };

    private readonly RecordingEffects _effects = new();
    private readonly TaskManager _manager;

    public TaskManagerCapabilityTests()
    {
        _manager = new TaskManager(new CapabilityAllocationPolicy(), _effects, new FakeTimeProvider());
    }

    [Fact]
    public void TaskNeedingAMissingCapability_WaitsForAWorkerOfferingIt()
    {
        _manager.AddWorker(W("cpu"), Capabilities.None, 5);
        _manager.Submit(new SchedulerTask(T("g1"), C("c"), Gpu, []));
        _manager.Submit(new SchedulerTask(T("p1"), C("c"), Capabilities.None, []));

        // p1 was submitted with a free slot, so it goes at once; g1 waits.
        Assert.Equal(["task p1 -> cpu"], _effects.Take());
        Assert.Equal(1, _manager.PendingCount);

        _manager.AddWorker(W("gpu"), Gpu, 5);

        Assert.Equal(["task g1 -> gpu"], _effects.Take());
        _manager.CheckInvariants();
    }

    [Fact]
    public void QueuedTasksBehindOneThatNoWorkerCanTake_WaitToo()
    {
        // Head-of-line blocking, as in the reference: the queue is drained from its head only.
        _manager.Submit(new SchedulerTask(T("g1"), C("c"), Gpu, []));
        _manager.Submit(new SchedulerTask(T("p1"), C("c"), Capabilities.None, []));

        _manager.AddWorker(W("cpu"), Capabilities.None, 5);

        Assert.Empty(_effects.Take());
        Assert.Equal(2, _manager.PendingCount);

        _manager.AddWorker(W("gpu"), Gpu, 5);

        Assert.Equal(["task g1 -> gpu", "task p1 -> cpu"], _effects.Take());
        _manager.CheckInvariants();
    }

    [Fact]
    public void DeadClientsQueuedTasks_AreDroppedWithoutBeingSentAnywhere()
    {
        _manager.Submit(new SchedulerTask(T("g1"), C("dead"), Gpu, []));
        _manager.Submit(new SchedulerTask(T("p1"), C("dead"), Capabilities.None, []));
        _manager.Submit(new SchedulerTask(T("p2"), C("alive"), Capabilities.None, []));
        _manager.AddWorker(W("cpu"), Capabilities.None, 5);
        Assert.Empty(_effects.Take()); // all blocked behind g1

        _manager.DisconnectClient(C("dead"));

        // g1 and p1 end silently (freeing the head of the queue must not ship p1 first); p2 can go now.
        Assert.Equal(["task p2 -> cpu"], _effects.Take());
        Assert.Equal(1, _manager.TaskCount);
        _manager.CheckInvariants();
    }
}
