using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Tests.Tasks;

/// <summary>Load balancing through the task manager, including the reference's stuck-task bugs #883 and #962.</summary>
public sealed class TaskManagerBalanceTests : TaskManagerTestBase
{
    public TaskManagerBalanceTests()
    {
        AddWorker("w1", 10);
        foreach (var task in new[] { "t1", "t2", "t3", "t4", "t5", "t6" })
        {
            Submit(task);
        }

        AddWorker("w2", 10);
        Sent();
    }

    [Fact]
    public void Balance_SendsPoliteCancelsForTheAdvisedTasks_AndKeepsThemOnTheirWorkerMeanwhile()
    {
        // w1 holds 6 (5 queued), w2 is idle: mean queued ceil(5 / 2) = 3, so w1 sheds its 2 youngest.
        Assert.Equal(2, Balance());

        Assert.Equal(["cancel t5 -> w1", "cancel t6 -> w1"], Sent());
        Assert.Equal(TaskState.BalanceCanceling, State("t6"));
        Assert.Equal("w1", WorkerOf("t6"));
    }

    [Fact]
    public void Balance_ConfirmedCancels_MoveTheTasksToTheIdleWorker()
    {
        Balance();
        Sent();

        Assert.True(Confirm("w1", "t5", TaskCancelConfirmType.Canceled));
        Assert.True(Confirm("w1", "t6", TaskCancelConfirmType.Canceled));

        Assert.Equal(["task t5 -> w2", "task t6 -> w2"], Sent());
        Assert.Equal(TaskState.Running, State("t6"));
        Assert.Equal("w2", WorkerOf("t6"));
    }

    [Fact]
    public void Balance_RepeatedWhileCancelsAreInFlight_SendsNothingMore()
    {
        Balance();
        Sent();

        Assert.Equal(0, Balance());
        Assert.Empty(Sent());
    }

    [Fact]
    public void Balance_CancelRefused_TaskStaysAndItsResultIsDelivered()
    {
        Balance();
        Sent();

        Assert.True(Confirm("w1", "t6", TaskCancelConfirmType.CancelFailed));
        Assert.Equal(TaskState.Running, State("t6"));
        Assert.Equal("w1", WorkerOf("t6"));

        Assert.True(Result("w1", "t6"));
        Assert.Equal(["result t6 Success -> c1"], Sent());
    }

    [Fact]
    public void Balance_ResultArrivesBeforeTheCancelAnswer_ResultWins_AndTheLateAnswerIsIgnored()
    {
        Balance();
        Sent();

        Assert.True(Result("w1", "t6"));
        Assert.False(Confirm("w1", "t6", TaskCancelConfirmType.CancelNotFound));

        Assert.Equal(["result t6 Success -> c1"], Sent());
    }

    [Fact]
    public void Bug883_BalanceCancelThenWorkerDies_TasksAreRequeuedNotStuck()
    {
        Balance();
        Sent();

        RemoveWorker("w1");

        // All six go to w2 in their original order, the two being balanced included.
        Assert.Equal(
            ["task t1 -> w2", "task t2 -> w2", "task t3 -> w2", "task t4 -> w2", "task t5 -> w2", "task t6 -> w2"],
            Sent());
        Assert.All(new[] { "t1", "t5", "t6" }, task => Assert.Equal(TaskState.Running, State(task)));

        // The dead worker's answer to the balance cancel comes too late and changes nothing.
        Assert.False(Confirm("w1", "t6", TaskCancelConfirmType.Canceled));
        Assert.True(Result("w2", "t6"));
        Assert.Equal(["result t6 Success -> c1"], Sent());
    }

    [Fact]
    public void Bug962_BalanceCancelAnsweredNotFound_TaskIsPlacedAgain()
    {
        Balance();
        Sent();

        Assert.True(Confirm("w1", "t6", TaskCancelConfirmType.CancelNotFound));

        Assert.Equal(["task t6 -> w2"], Sent());
        Assert.Equal(TaskState.Running, State("t6"));
        Assert.True(Result("w2", "t6"));
        Assert.Equal(["result t6 Success -> c1"], Sent());
    }

    [Fact]
    public void ClientCancelDuringBalanceCancel_BalanceCancelSucceeds_TaskEndsCanceled()
    {
        Balance();
        Sent();

        Cancel("t6");
        Assert.Empty(Sent()); // a cancel is already in flight
        Assert.Equal(TaskState.Canceling, State("t6"));

        Assert.True(Confirm("w1", "t6", TaskCancelConfirmType.Canceled));

        Assert.Equal(["confirm t6 Canceled -> c1"], Sent());
        Assert.Null(State("t6"));
    }

    [Fact]
    public void ClientCancelDuringBalanceCancel_BalanceCancelRefused_TheClientCancelIsSentThen()
    {
        Balance();
        Cancel("t6", force: true);
        Sent();

        Assert.True(Confirm("w1", "t6", TaskCancelConfirmType.CancelFailed));

        Assert.Equal(["cancel t6 -> w1 (force)"], Sent());
        Assert.Equal(TaskState.Canceling, State("t6"));

        Assert.True(Confirm("w1", "t6", TaskCancelConfirmType.Canceled));
        Assert.Equal(["confirm t6 Canceled -> c1"], Sent());
    }
}
