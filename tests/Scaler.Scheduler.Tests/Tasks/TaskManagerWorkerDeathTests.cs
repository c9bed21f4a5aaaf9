using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Tests.Tasks;

/// <summary>A task whose workers keep dying under it is placed again a bounded number of times, then fails.</summary>
public sealed class TaskManagerWorkerDeathTests : TaskManagerTestBase
{
    [Fact]
    public void TaskWhoseWorkerDiesEveryTime_IsPlacedAgainThreeTimes_ThenFailsWithWorkerDied()
    {
        Submit("t1");
        for (var death = 1; death <= TaskManager.DefaultRetriesAfterWorkerDeath; death++)
        {
            AddWorker($"w{death}", 1);
            Assert.Equal([$"task t1 -> w{death}"], Sent());

            RemoveWorker($"w{death}");

            Assert.Equal(TaskState.Inactive, State("t1"));
            Assert.Empty(Sent());
        }

        AddWorker("w4", 1);
        Assert.Equal(["task t1 -> w4"], Sent());
        RemoveWorker("w4");

        Assert.Equal(["result t1 FailedWorkerDied -> c1"], Sent());
        Assert.Null(State("t1"));
        Assert.Equal(0, Manager.TaskCount);
        Assert.Equal(1, Manager.CountInState(TaskState.FailedWorkerDied));
    }

    [Fact]
    public void WorkersThatSayGoodbye_DoNotCountAsDeaths()
    {
        Submit("t1");
        for (var i = 1; i <= TaskManager.DefaultRetriesAfterWorkerDeath + 2; i++)
        {
            AddWorker($"w{i}", 1);
            Sent();
            RemoveWorker($"w{i}", died: false);
            Assert.Equal(TaskState.Inactive, State("t1"));
        }

        AddWorker("last", 1);
        Assert.Equal(["task t1 -> last"], Sent());
        Assert.True(Result("last", "t1"));
        Assert.Equal(["result t1 Success -> c1"], Sent());
    }

    [Fact]
    public void DeathsAreCountedPerTask_AndTheQueueBehindAFailedTaskStillFlows()
    {
        Submit("doomed");
        for (var death = 1; death <= TaskManager.DefaultRetriesAfterWorkerDeath; death++)
        {
            AddWorker($"w{death}", 1);
            RemoveWorker($"w{death}");
        }

        Submit("fresh");
        AddWorker("w4", 1);
        Sent();
        RemoveWorker("w4");

        // The doomed task failed; the fresh one, which had waited behind it, lost no life and runs on the next worker.
        Assert.Equal(["result doomed FailedWorkerDied -> c1"], Sent());
        AddWorker("w5", 1);
        Assert.Equal(["task fresh -> w5"], Sent());
        RemoveWorker("w5");
        Assert.Equal(TaskState.Inactive, State("fresh"));
    }

    [Fact]
    public void TaskBeingCanceledWhenItsLastAllowedWorkerDies_EndsCanceled()
    {
        Submit("t1");
        for (var death = 1; death <= TaskManager.DefaultRetriesAfterWorkerDeath; death++)
        {
            AddWorker($"w{death}", 1);
            RemoveWorker($"w{death}");
        }

        AddWorker("w4", 1);
        Sent();
        Cancel("t1", force: true);
        Sent();
        RemoveWorker("w4");

        // A task being canceled when its worker dies counts as canceled, as before.
        Assert.Equal(["confirm t1 Canceled -> c1"], Sent());
    }
}
