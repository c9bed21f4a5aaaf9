using Scaler.Identity;
using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Tests.Tasks;

/// <summary>A client that goes away must not keep workers busy (the reference's bug #983).</summary>
public sealed class TaskManagerClientDisconnectTests : TaskManagerTestBase
{
    public TaskManagerClientDisconnectTests()
    {
        AddWorker("w1", 1);
        Submit("t1", "dead");
        Submit("t2", "dead");
        Submit("t3", "alive");
        Sent();
    }

    [Fact]
    public void Bug983_DisconnectForceCancelsRunningTasks_DropsQueuedOnes_AndFreesTheWorker()
    {
        DisconnectClient("dead");

        // The queued t2 ends silently; the running t1 gets a forced cancel.
        Assert.Equal(["cancel t1 -> w1 (force)"], Sent());
        Assert.Null(State("t2"));
        Assert.Equal(TaskState.Canceling, State("t1"));

        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.Canceled));

        // Nothing goes to the dead client; the other client's task gets the worker.
        Assert.Equal(["task t3 -> w1"], Sent());
    }

    [Fact]
    public void Bug983_WorkerRefusesTheCancel_ResultIsDroppedAndTheWorkerIsFreed()
    {
        DisconnectClient("dead");
        Sent();

        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.CancelFailed));
        Assert.Empty(Sent());

        Assert.True(Result("w1", "t1"));
        Assert.Equal(["task t3 -> w1"], Sent());
    }

    [Fact]
    public void Disconnect_WhileAPoliteCancelIsInFlight_ForcesOneIfThePoliteOneIsRefused()
    {
        Cancel("t1", "dead");
        Assert.Equal(["cancel t1 -> w1"], Sent());

        DisconnectClient("dead");
        Assert.Empty(Sent());

        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.CancelFailed));
        Assert.Equal(["cancel t1 -> w1 (force)"], Sent());

        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.Canceled));
        Assert.Equal(["task t3 -> w1"], Sent());
    }

    [Fact]
    public void Disconnect_DuringABalanceCancel_ForcesOneIfTheBalanceCancelIsRefused()
    {
        AddWorker("w2", 1); // takes t2
        Sent();
        Assert.Equal(1, Manager.ApplyBalanceAdvice(new Dictionary<WorkerId, IReadOnlyList<TaskId>>
        {
            [Ids.W("w1")] = [Ids.T("t1")],
        }));
        Assert.Equal(["cancel t1 -> w1"], Sent());

        DisconnectClient("dead");
        Assert.Equal(["cancel t2 -> w2 (force)"], Sent());

        Assert.True(Confirm("w1", "t1", TaskCancelConfirmType.CancelFailed));
        Assert.Equal(["cancel t1 -> w1 (force)"], Sent());
    }

    [Fact]
    public void Disconnect_UnknownClient_DoesNothing()
    {
        Assert.Equal(0, Manager.DisconnectClient(Ids.C("nobody")));
        Assert.Empty(Sent());
        Assert.Equal(3, Manager.TaskCount);
    }
}
