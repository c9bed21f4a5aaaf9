using Scaler.Identity;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
using static Scaler.Scheduler.Tests.Ids;

namespace Scaler.Scheduler.Tests.Policies.Allocation;

public sealed class CapabilityAllocationPolicyTests
{
    private static readonly Dictionary<string, long> Gpu = new() { ["gpu"] = -1 };
    private static readonly Dictionary<string, long> GpuLinux = new() { ["gpu"] = -1, ["linux"] = -1 };

    private readonly CapabilityAllocationPolicy _policy = new();

    private WorkerId Assign(string task, IReadOnlyDictionary<string, long> capabilities)
    {
        Assert.True(_policy.TryAssignTask(T(task), capabilities, out var worker), $"{task} found no worker");
        return worker;
    }

    [Fact]
    public void Assign_TaskNeedingACapability_GoesOnlyToWorkersOfferingIt()
    {
        _policy.AddWorker(W("cpu"), Capabilities.None, 10);
        _policy.AddWorker(W("gpu"), Gpu, 10);

        Assert.Equal(W("gpu"), Assign("g1", Gpu));
        Assert.Equal(W("gpu"), Assign("g2", Gpu)); // although "cpu" is less loaded
        Assert.Equal(W("cpu"), Assign("c1", Capabilities.None));
        Assert.Equal(W("cpu"), Assign("c2", Capabilities.None));
        Assert.False(_policy.TryAssignTask(T("x"), GpuLinux, out _));
        Assert.False(_policy.HasAvailableWorker(GpuLinux));
        Assert.True(_policy.HasAvailableWorker(Gpu));
    }

    [Fact]
    public void Assign_TaskWithoutCapabilities_GoesToLeastLoadedOfAll()
    {
        _policy.AddWorker(W("gpu"), Gpu, 10);
        _policy.AddWorker(W("both"), GpuLinux, 10);
        Assign("g1", Gpu);
        Assign("g2", Gpu);
        Assign("g3", Gpu);

        // g1 -> gpu, g2 -> both, g3 -> gpu: "both" is the least loaded.
        Assert.Equal(W("both"), Assign("plain", Capabilities.None));
    }

    [Fact]
    public void Assign_WorkerOfTheOnlyMatchingClassIsFull_NoWorker()
    {
        _policy.AddWorker(W("gpu"), Gpu, 1);
        _policy.AddWorker(W("cpu"), Capabilities.None, 5);
        Assign("g1", Gpu);

        Assert.False(_policy.TryAssignTask(T("g2"), Gpu, out _));
        Assert.True(_policy.TryRemoveTask(T("g1"), out _));
        Assert.Equal(W("gpu"), Assign("g2", Gpu));
    }

    [Fact]
    public void Balance_MovesATaskOnlyToAnIdleWorkerOfferingItsCapabilities()
    {
        _policy.AddWorker(W("w1"), Gpu, 10);
        foreach (var task in new[] { "t1", "t2", "t3", "t4" })
        {
            Assign(task, Gpu);
        }

        _policy.AddWorker(W("plain"), Capabilities.None, 10);
        _policy.AddWorker(W("w3"), Gpu, 10);

        // target = 4 / 3 workers; w1 gives its youngest (t4) to w3, the only idle gpu worker; "plain" cannot take any.
        var advice = _policy.Balance();

        Assert.Equal([W("w1")], advice.Keys);
        Assert.Equal(Ts("t4"), advice[W("w1")]);
    }

    [Fact]
    public void Balance_PlainTasks_SpreadOverAllIdleWorkers()
    {
        _policy.AddWorker(W("w1"), Capabilities.None, 10);
        foreach (var task in new[] { "t1", "t2", "t3", "t4", "t5", "t6" })
        {
            Assign(task, Capabilities.None);
        }

        _policy.AddWorker(W("w2"), Gpu, 10);
        _policy.AddWorker(W("w3"), Capabilities.None, 10);

        // target 2: w1 (6) gives 4 tasks, youngest first, alternating between the two receivers as they fill.
        var advice = _policy.Balance();

        Assert.Equal(Ts("t6", "t5", "t4", "t3"), advice[W("w1")]);
    }

    [Fact]
    public void Balance_NoIdleWorker_GivesNoAdvice()
    {
        _policy.AddWorker(W("w1"), Capabilities.None, 10);
        Assign("t1", Capabilities.None);
        Assign("t2", Capabilities.None);
        _policy.AddWorker(W("w2"), Capabilities.None, 10);
        Assign("t3", Capabilities.None);

        Assert.Empty(_policy.Balance());
    }

    [Fact]
    public void RemoveWorker_ReturnsTasks_AndItsCapabilityClassDisappears()
    {
        _policy.AddWorker(W("gpu"), Gpu, 2);
        Assign("g1", Gpu);

        Assert.Equal(Ts("g1"), _policy.RemoveWorker(W("gpu")));
        Assert.False(_policy.HasAvailableWorker(Gpu));
        Assert.False(_policy.HasAvailableWorker(Capabilities.None));
    }
}
