using Scaler.Identity;
using Scaler.Scheduler.Tasks;
using static Scaler.Scheduler.Tests.Ids;

namespace Scaler.Scheduler.Tests.Tasks;

public sealed class LoadBalanceGateTests
{
    private static Dictionary<WorkerId, IReadOnlyList<TaskId>> Advice(params string[] tasks) =>
        new() { [W("w1")] = Ts(tasks) };

    [Fact]
    public void ActsOnce_WhenTheSameAdviceWasSeenTriggerTimesMoreInARow()
    {
        var gate = new LoadBalanceGate(triggerTimes: 2);

        Assert.False(gate.ShouldAct(Advice("t1", "t2")));
        Assert.False(gate.ShouldAct(Advice("t1", "t2")));
        Assert.True(gate.ShouldAct(Advice("t1", "t2")));
        Assert.False(gate.ShouldAct(Advice("t1", "t2")));
        Assert.False(gate.ShouldAct(Advice("t1", "t2")));
    }

    [Fact]
    public void ChangedAdvice_StartsCountingAgain()
    {
        var gate = new LoadBalanceGate(triggerTimes: 1);

        Assert.False(gate.ShouldAct(Advice("t1")));
        Assert.False(gate.ShouldAct(Advice("t2")));
        Assert.True(gate.ShouldAct(Advice("t2")));
    }

    [Fact]
    public void EmptyAdvice_IsNeverActedOn()
    {
        var gate = new LoadBalanceGate(triggerTimes: 1);

        Assert.False(gate.ShouldAct(new Dictionary<WorkerId, IReadOnlyList<TaskId>>()));
        Assert.False(gate.ShouldAct(new Dictionary<WorkerId, IReadOnlyList<TaskId>>()));
    }
}
