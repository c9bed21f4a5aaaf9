using System.Globalization;
using Scaler.Identity;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
using static Scaler.Scheduler.Tests.Ids;

namespace Scaler.Scheduler.Tests.Policies.Allocation;

public sealed class EvenLoadAllocationPolicyTests
{
    private readonly EvenLoadAllocationPolicy _policy = new();

    private WorkerId Assign(string task)
    {
        Assert.True(_policy.TryAssignTask(T(task), Capabilities.None, out var worker), $"{task} found no worker");
        return worker;
    }

    private void AddWorkers(int queueSize, params string[] names)
    {
        foreach (var name in names)
        {
            Assert.True(_policy.AddWorker(W(name), Capabilities.None, queueSize));
        }
    }

    [Fact]
    public void Assign_SpreadsEvenly_AndRespectsQueueSize()
    {
        AddWorkers(2, "w1", "w2");

        var placed = new[] { "t1", "t2", "t3", "t4" }.Select(Assign).ToArray();

        Assert.Equal([W("w1"), W("w2"), W("w1"), W("w2")], placed);
        Assert.False(_policy.TryAssignTask(T("t5"), Capabilities.None, out var none));
        Assert.True(none.IsEmpty);
        Assert.False(_policy.HasAvailableWorker(Capabilities.None));
    }

    [Fact]
    public void Assign_PicksTheLeastLoadedWorker()
    {
        AddWorkers(10, "w1", "w2", "w3");
        foreach (var task in new[] { "t1", "t2", "t3", "t4", "t5", "t6" })
        {
            Assign(task);
        }

        // w1: t1 t4, w2: t2 t5, w3: t3 t6. Free two slots on w2: it becomes the least loaded.
        Assert.True(_policy.TryRemoveTask(T("t2"), out var from));
        Assert.Equal(W("w2"), from);
        Assert.True(_policy.TryRemoveTask(T("t5"), out _));

        Assert.Equal(W("w2"), Assign("t7"));
        Assert.Equal(W("w2"), Assign("t8"));
    }

    [Fact]
    public void Assign_UnevenQueueSizes_FullWorkerDoesNotHideAFreeOne()
    {
        _policy.AddWorker(W("small"), Capabilities.None, 1);
        _policy.AddWorker(W("big"), Capabilities.None, 3);

        var placed = new[] { "t1", "t2", "t3", "t4" }.Select(Assign).ToArray();

        Assert.Equal([W("small"), W("big"), W("big"), W("big")], placed);
        Assert.False(_policy.HasAvailableWorker(Capabilities.None));
    }

    [Fact]
    public void Assign_SameTaskTwice_KeepsItsWorker()
    {
        AddWorkers(5, "w1", "w2");
        var first = Assign("t1");

        Assert.Equal(first, Assign("t1"));
        Assert.Equal(1, _policy.Statistics().Sum(load => load.Sent));
    }

    [Fact]
    public void Assign_IgnoresCapabilities()
    {
        AddWorkers(1, "w1");
        var gpu = new Dictionary<string, long> { ["gpu"] = -1 };

        Assert.True(_policy.TryAssignTask(T("t1"), gpu, out var worker));
        Assert.Equal(W("w1"), worker);
    }

    [Fact]
    public void RemoveWorker_ReturnsItsTasksOldestFirst_AndForgetsThem()
    {
        AddWorkers(3, "w1");
        Assign("t1");
        Assign("t2");
        Assign("t3");
        _policy.TryRemoveTask(T("t2"), out _);

        var tasks = _policy.RemoveWorker(W("w1"));

        Assert.Equal(Ts("t1", "t3"), tasks);
        Assert.False(_policy.TryGetWorker(T("t1"), out _));
        Assert.Equal(0, _policy.WorkerCount);
        Assert.Empty(_policy.RemoveWorker(W("w1")));
        Assert.False(_policy.TryAssignTask(T("t4"), Capabilities.None, out _));
    }

    [Fact]
    public void AddWorker_Twice_IsRejected()
    {
        Assert.True(_policy.AddWorker(W("w1"), Capabilities.None, 2));
        Assert.False(_policy.AddWorker(W("w1"), Capabilities.None, 5));
        Assert.Equal([new WorkerLoad(W("w1"), 0, 2)], _policy.Statistics());
    }

    [Fact]
    public void Balance_OneBusyWorkerTwoIdle_MovesItsYoungestTasksToFillTheIdleOnes()
    {
        AddWorkers(10, "w1");
        foreach (var task in new[] { "t1", "t2", "t3", "t4", "t5" })
        {
            Assign(task);
        }

        AddWorkers(10, "w2", "w3");

        // queued (tasks beyond the running one): w1 = 4; mean = ceil(4 / 3) = 2; w1 sheds 4 - 2 = 2.
        var advice = _policy.Balance();

        Assert.Equal([W("w1")], advice.Keys);
        Assert.Equal(Ts("t4", "t5"), advice[W("w1")]);
    }

    [Fact]
    public void Balance_WhenAboveMeanIsNotEnough_TopsUpInRegistrationOrder()
    {
        AddWorkers(10, "w1");
        Assign("t1");
        Assign("t2");
        Assign("t3");
        AddWorkers(10, "w2");
        Assign("t4");
        Assign("t5");
        Assign("t6");
        AddWorkers(10, "w3", "w4", "w5");

        // queued: w1 = 2, w2 = 2 (total 4); mean = ceil(4 / 5) = 1, so 1 each above the mean = 2 tasks,
        // but 3 idle workers could take min(3, 4) = 3: the missing one comes from w1, the first registered.
        var advice = _policy.Balance();

        Assert.Equal(Ts("t2", "t3"), advice[W("w1")]);
        Assert.Equal(Ts("t6"), advice[W("w2")]);
        Assert.Equal(2, advice.Count);
    }

    [Fact]
    public void Balance_NoIdleWorker_GivesNoAdvice()
    {
        AddWorkers(10, "w1");
        Assign("t1");
        Assign("t2");
        Assign("t3");
        AddWorkers(10, "w2");
        Assign("t4");

        Assert.Empty(_policy.Balance());
    }

    [Fact]
    public void Balance_NothingQueued_GivesNoAdvice()
    {
        AddWorkers(10, "w1", "w2", "w3");
        Assign("t1");
        Assign("t2");

        Assert.Empty(_policy.Balance());
    }

    [Fact]
    public void Balance_DoesNotChangeAnything()
    {
        AddWorkers(10, "w1");
        Assign("t1");
        Assign("t2");
        Assign("t3");
        AddWorkers(10, "w2");

        _policy.Balance();

        Assert.True(_policy.TryGetWorker(T("t3"), out var worker));
        Assert.Equal(W("w1"), worker);
        Assert.Equal([new WorkerLoad(W("w1"), 3, 7), new WorkerLoad(W("w2"), 0, 10)], _policy.Statistics());
    }

    [Fact]
    public void ManyTasksOverManyWorkers_StayEvenAndFullyAccounted()
    {
        const int workers = 300;
        const int tasks = 60_000;
        for (var w = 0; w < workers; w++)
        {
            _policy.AddWorker(W($"w{w}"), Capabilities.None, 1_000);
        }

        for (var t = 0; t < tasks; t++)
        {
            Assert.True(_policy.TryAssignTask(T($"t{t}"), Capabilities.None, out _));
        }

        Assert.All(_policy.Statistics(), load => Assert.Equal(tasks / workers, load.Sent));

        // Round robin put task t on worker t % 300 (workers is even): removing the even tasks empties the even workers...
        for (var t = 0; t < tasks; t += 2)
        {
            Assert.True(_policy.TryRemoveTask(T($"t{t}"), out _));
        }

        Assert.Equal(tasks / 2, _policy.Statistics().Sum(load => load.Sent));

        // ...so the next tasks must all go to them, until every worker is level again.
        for (var t = tasks; t < tasks + (tasks / 2); t++)
        {
            Assert.True(_policy.TryAssignTask(T($"t{t}"), Capabilities.None, out var worker));
            Assert.True(worker.ToString()[1..].Length > 0 && int.Parse(worker.ToString()[1..], CultureInfo.InvariantCulture) % 2 == 0);
        }

        Assert.All(_policy.Statistics(), load => Assert.Equal(tasks / workers, load.Sent));
    }
}
