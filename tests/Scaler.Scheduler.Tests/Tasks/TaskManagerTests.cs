using Scaler.Identity;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
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

        Assert.False(Manager.Submit(new SchedulerTask(T("t1"), C("c1"), Capabilities.None, [])));
        Assert.Equal(1, Manager.TaskCount);
    }

    [Fact]
    public void TryGetTask_GivesTheSubmittedTask_WhileItIsLive()
    {
        var frame = new byte[] { 1, 2, 3 };
        Assert.True(Manager.Submit(new SchedulerTask(T("t1"), C("alice"), Capabilities.None, frame)));
        AddWorker("w1", 1);

        Assert.True(Manager.TryGetTask(T("t1"), out var running));
        Assert.Equal(C("alice"), running.Client);
        Assert.Same(frame, running.Frame);
        Assert.False(Manager.TryGetTask(T("t2"), out _));

        Assert.True(Result("w1", "t1"));

        Assert.False(Manager.TryGetTask(T("t1"), out _));
    }

    [Fact]
    public void TaskCountOf_CountsEachClientsLiveTasks_UntilEachEnds()
    {
        AddWorker("w1", 1);
        Submit("t1", "alice");
        Submit("t2", "alice");
        Submit("t3", "bob");

        Assert.Equal(2, Manager.TaskCountOf(C("alice")));
        Assert.Equal(1, Manager.TaskCountOf(C("bob")));
        Assert.Equal(0, Manager.TaskCountOf(C("carol")));

        Cancel("t2", "alice");
        Assert.True(Result("w1", "t1"));

        Assert.Equal(0, Manager.TaskCountOf(C("alice")));
        Assert.Equal(1, Manager.TaskCountOf(C("bob")));
    }

    [Fact]
    public void TaskStateChanged_ToATerminalState_StillFindsTheTask()
    {
        // The scheduler describes a task to its monitors from what it was submitted with, the final state included.
        var effects = new LookupOnStateChange();
        var manager = new TaskManager(new EvenLoadAllocationPolicy(), effects, Time);
        effects.Manager = manager;
        manager.AddWorker(W("w1"), Capabilities.None, 1);
        manager.Submit(new SchedulerTask(T("t1"), C("alice"), Capabilities.None, []));
        manager.Submit(new SchedulerTask(T("t2"), C("alice"), Capabilities.None, []));

        manager.OnTaskResult(W("w1"), T("t1"), TaskResultType.Success);
        manager.Cancel(C("alice"), T("t2"), force: false);

        Assert.Equal(
            ["t1 Inactive found", "t1 Running found", "t2 Inactive found", "t1 Success found", "t2 Running found", "t2 Canceling found"],
            effects.Seen);
        manager.OnCancelConfirm(W("w1"), T("t2"), TaskCancelConfirmType.Canceled);
        Assert.Equal("t2 Canceled found", effects.Seen[^1]);
        Assert.False(manager.TryGetTask(T("t2"), out _));
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

    /// <summary>Looks each task up at the moment its state changes, as the scheduler does for its monitors.</summary>
    private sealed class LookupOnStateChange : ISchedulerEffects
    {
        public TaskManager? Manager { get; set; }

        public List<string> Seen { get; } = [];

        public void SendTask(WorkerId worker, SchedulerTask task)
        {
        }

        public void SendTaskCancel(WorkerId worker, TaskId task, bool force)
        {
        }

        public void SendTaskResult(ClientId client, TaskId task, TaskResultType resultType, object? payload)
        {
        }

        public void SendTaskCancelConfirm(ClientId client, TaskId task, TaskCancelConfirmType confirmType)
        {
        }

        public void TaskStateChanged(TaskId task, TaskState state, WorkerId worker) =>
            Seen.Add($"{task} {state} {(Manager!.TryGetTask(task, out _) ? "found" : "missing")}");
    }
}
