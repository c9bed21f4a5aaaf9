using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Tasks;
using static Scaler.Scheduler.Tests.Ids;

namespace Scaler.Scheduler.Tests.Tasks;

public sealed class TaskManagerTests : TaskManagerTestBase
{
    [Fact]
    public void Submit_WithoutWorkers_Queues_ThenAWorkerGetsTheTasksInOrder()
    {
        Submit("t1");
        Submit("t2");
        Submit("t3");

        Assert.Empty(Sent());
        Assert.Equal(3, Manager.PendingCount);
        Assert.Equal(TaskState.Inactive, State("t1"));

        AddWorker("w1", 2);

        Assert.Equal(["task t1 -> w1", "task t2 -> w1"], Sent());
        Assert.Equal(1, Manager.PendingCount);
        Assert.Equal(TaskState.Running, State("t1"));
        Assert.Equal("w1", WorkerOf("t2"));
    }

    [Fact]
    public void Result_GoesToTheClient_AndTheFreedSlotTakesTheNextQueuedTask()
    {
        AddWorker("w1", 1);
        Submit("t1", "alice");
        Submit("t2", "bob");
        Sent();

        Assert.True(Result("w1", "t1"));

        Assert.Equal(["result t1 Success -> alice", "task t2 -> w1"], Sent());
        Assert.Null(State("t1"));
        Assert.Equal(1, Manager.TaskCount);
        Assert.Equal(1, Manager.CountInState(TaskState.Success));
    }

    [Fact]
    public void Submit_SameIdTwice_IsRejected()
    {
        Submit("t1");

        Assert.False(Manager.Submit(new SchedulerTask(T("t1"), C("c1"), Capabilities.None)));
        Assert.Equal(1, Manager.TaskCount);
    }

    [Fact]
    public void Submit_RecordsTheTimeFromTheInjectedClock()
    {
        Submit("t1");
        Time.Advance(TimeSpan.FromSeconds(3));
        Submit("t2");

        Assert.True(Manager.TryGetSubmittedAt(T("t2"), out var at));
        Assert.Equal(Time.GetUtcNow(), at);
        Assert.True(Manager.TryGetSubmittedAt(T("t1"), out var first));
        Assert.Equal(TimeSpan.FromSeconds(3), at - first);
    }

    [Fact]
    public void CancelQueuedTask_IsCanceledAtOnce_WithoutTalkingToAnyWorker()
    {
        Submit("t1");

        Cancel("t1");

        Assert.Equal(["confirm t1 Canceled -> c1"], Sent());
        Assert.Equal(0, Manager.TaskCount);
        Assert.Equal(0, Manager.PendingCount);
    }

    [Fact]
    public void CancelUnknownTask_AnswersNotFound()
    {
        Cancel("nope", "c9");

        Assert.Equal(["confirm nope CancelNotFound -> c9"], Sent());
    }

    [Fact]
    public void CancelRunningTask_IsForwarded_AndConfirmedWhenTheWorkerConfirms()
    {
        AddWorker("w1", 1);
        Submit("t1");
        Submit("t2");
        Sent();

        Cancel("t1", force: true);

        Assert.Equal(["cancel t1 -> w1 (force)"], Sent());
        Assert.Equal(TaskState.Canceling, State("t1"));

        Cancel("t1"); // a second cancel while one is in flight sends nothing more
        Assert.Empty(Sent());

        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.Canceled));

        Assert.Equal(["confirm t1 Canceled -> c1", "task t2 -> w1"], Sent());
    }

    [Fact]
    public void CancelRunningTask_WorkerRefuses_TaskRunsOnAndItsResultIsDelivered()
    {
        AddWorker("w1", 1);
        Submit("t1");
        Cancel("t1");
        Sent();

        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.CancelFailed));
        Assert.Equal(TaskState.Running, State("t1"));
        Assert.Empty(Sent());

        Assert.True(Result("w1", "t1"));
        Assert.Equal(["result t1 Success -> c1"], Sent());
    }

    [Fact]
    public void CancelRunningTask_ResultArrivesFirst_ThenNotFound_EndsAsNotFoundAndFreesTheWorker()
    {
        AddWorker("w1", 1);
        Submit("t1");
        Submit("t2");
        Cancel("t1");
        Sent();

        Assert.False(Result("w1", "t1")); // canceling: the cancel answer decides
        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.CancelNotFound));

        // The reference left the slot held after canceledNotFound; here the worker gets the next task.
        Assert.Equal(["confirm t1 CancelNotFound -> c1", "task t2 -> w1"], Sent());
    }

    [Fact]
    public void WorkerDies_ItsTasksGoBackToTheFrontOfTheQueueInOrder_AndToAnotherWorker()
    {
        AddWorker("w1", 2);
        Submit("t1");
        Submit("t2");
        Submit("t3");
        Sent();

        RemoveWorker("w1");

        Assert.Empty(Sent());
        Assert.Equal(3, Manager.PendingCount);
        Assert.Equal(TaskState.Inactive, State("t1"));

        AddWorker("w2", 2);

        Assert.Equal(["task t1 -> w2", "task t2 -> w2"], Sent());
    }

    [Fact]
    public void WorkerDies_LateResultFromItIsIgnored_AndTheResultIsDeliveredOnce()
    {
        AddWorker("w1", 1);
        AddWorker("w2", 1);
        Submit("t1");
        Submit("t2");
        Sent();
        Assert.True(Result("w2", "t2"));
        Sent();

        RemoveWorker("w1");
        Assert.Equal(["task t1 -> w2"], Sent());

        Assert.False(Result("w1", "t1")); // the dead worker's late answer
        Assert.False(Confirm("w1", "t1", TaskCancelConfirmType.Canceled));
        Assert.Empty(Sent());

        Assert.True(Result("w2", "t1"));
        Assert.False(Result("w2", "t1")); // a duplicate
        Assert.Equal(["result t1 Success -> c1"], Sent());
    }

    [Fact]
    public void WorkerDies_WhileACancelIsInFlight_TheTaskCountsAsCanceled()
    {
        AddWorker("w1", 1);
        Submit("t1");
        Cancel("t1");
        Sent();

        RemoveWorker("w1");

        Assert.Equal(["confirm t1 Canceled -> c1"], Sent());
        Assert.Equal(0, Manager.TaskCount);
    }

    [Fact]
    public void FailedResults_AreDeliveredWithTheirType()
    {
        AddWorker("w1", 2);
        Submit("t1");
        Submit("t2");
        Sent();

        Result("w1", "t1", TaskResultType.Failed);
        Result("w1", "t2", TaskResultType.FailedWorkerDied);

        Assert.Equal(["result t1 Failed -> c1", "result t2 FailedWorkerDied -> c1"], Sent());
        Assert.Equal(1, Manager.CountInState(TaskState.Failed));
        Assert.Equal(1, Manager.CountInState(TaskState.FailedWorkerDied));
    }

    [Fact]
    public void ForcedCancelAskedWhileAPoliteOneIsInFlight_IsSentIfThePoliteOneIsRefused()
    {
        AddWorker("w1", 1);
        Submit("t1");
        Cancel("t1");
        Cancel("t1", force: true);
        Assert.Equal(["task t1 -> w1", "cancel t1 -> w1"], Sent());

        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.CancelFailed));

        Assert.Equal(["cancel t1 -> w1 (force)"], Sent());
        Assert.Equal(TaskState.Canceling, State("t1"));
    }

    [Fact]
    public void StateChanges_AreReportedForTheMonitor()
    {
        AddWorker("w1", 1);
        Submit("t1");
        Result("w1", "t1");

        Assert.Equal(
            [TaskState.Inactive, TaskState.Running, TaskState.Success],
            Effects.States.Where(change => change.Task == T("t1")).Select(change => change.State));
    }
}
