using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Tests.Tasks;

public sealed class TaskStateMachineTests
{
    /// <summary>The expected table, written out by hand from the reference plus the #962 row.</summary>
    public static TheoryData<int, int, int> ValidTransitions => new()
    {
        { (int)TaskState.Inactive, (int)TaskTransition.HasCapacity, (int)TaskState.Running },
        { (int)TaskState.Inactive, (int)TaskTransition.TaskCancel, (int)TaskState.Canceled },
        { (int)TaskState.Running, (int)TaskTransition.TaskResultSuccess, (int)TaskState.Success },
        { (int)TaskState.Running, (int)TaskTransition.TaskResultFailed, (int)TaskState.Failed },
        { (int)TaskState.Running, (int)TaskTransition.TaskResultWorkerDied, (int)TaskState.FailedWorkerDied },
        { (int)TaskState.Running, (int)TaskTransition.TaskCancel, (int)TaskState.Canceling },
        { (int)TaskState.Running, (int)TaskTransition.BalanceTaskCancel, (int)TaskState.BalanceCanceling },
        { (int)TaskState.Running, (int)TaskTransition.WorkerDisconnect, (int)TaskState.WorkerDisconnecting },
        { (int)TaskState.Canceling, (int)TaskTransition.TaskCancelConfirmCanceled, (int)TaskState.Canceled },
        { (int)TaskState.Canceling, (int)TaskTransition.TaskCancelConfirmFailed, (int)TaskState.Running },
        { (int)TaskState.Canceling, (int)TaskTransition.TaskCancelConfirmNotFound, (int)TaskState.CanceledNotFound },
        { (int)TaskState.Canceling, (int)TaskTransition.WorkerDisconnect, (int)TaskState.Canceled },
        { (int)TaskState.BalanceCanceling, (int)TaskTransition.TaskResultSuccess, (int)TaskState.Success },
        { (int)TaskState.BalanceCanceling, (int)TaskTransition.TaskResultFailed, (int)TaskState.Failed },
        { (int)TaskState.BalanceCanceling, (int)TaskTransition.TaskResultWorkerDied, (int)TaskState.FailedWorkerDied },
        { (int)TaskState.BalanceCanceling, (int)TaskTransition.TaskCancel, (int)TaskState.Canceling },
        { (int)TaskState.BalanceCanceling, (int)TaskTransition.TaskCancelConfirmCanceled, (int)TaskState.Inactive },
        { (int)TaskState.BalanceCanceling, (int)TaskTransition.TaskCancelConfirmFailed, (int)TaskState.Running },
        { (int)TaskState.BalanceCanceling, (int)TaskTransition.TaskCancelConfirmNotFound, (int)TaskState.Inactive },
        { (int)TaskState.BalanceCanceling, (int)TaskTransition.WorkerDisconnect, (int)TaskState.WorkerDisconnecting },
        { (int)TaskState.WorkerDisconnecting, (int)TaskTransition.SchedulerHasTask, (int)TaskState.Inactive },
        { (int)TaskState.WorkerDisconnecting, (int)TaskTransition.SchedulerHasNoTask, (int)TaskState.FailedWorkerDied },
    };

    [Theory]
    [MemberData(nameof(ValidTransitions))]
    public void TryNext_ValidTransition_GivesTheNextState(int fromState, int onTransition, int toState)
    {
        var (from, on, to) = ((TaskState)fromState, (TaskTransition)onTransition, (TaskState)toState);
        Assert.True(TaskStateMachine.TryNext(from, on, out var next));
        Assert.Equal(to, next);
    }

    [Fact]
    public void TryNext_EveryPairNotInTheTable_IsInvalid_AndLeavesTheStateAlone()
    {
        var expected = ValidTransitions.Select(row => ((TaskState)(int)row[0], (TaskTransition)(int)row[1])).ToHashSet();
        var validCount = 0;
        foreach (var state in Enum.GetValues<TaskState>())
        {
            foreach (var transition in Enum.GetValues<TaskTransition>())
            {
                var valid = TaskStateMachine.TryNext(state, transition, out var next);
                Assert.Equal(expected.Contains((state, transition)), valid);
                if (!valid)
                {
                    Assert.Equal(state, next);
                }

                validCount += valid ? 1 : 0;
            }
        }

        Assert.Equal(22, validCount);
    }

    [Theory]
    [InlineData((int)TaskState.Inactive, (int)TaskTransition.TaskResultSuccess)]
    [InlineData((int)TaskState.Inactive, (int)TaskTransition.TaskCancelConfirmCanceled)]
    [InlineData((int)TaskState.Running, (int)TaskTransition.HasCapacity)]
    [InlineData((int)TaskState.Canceling, (int)TaskTransition.TaskResultSuccess)]
    [InlineData((int)TaskState.Canceling, (int)TaskTransition.TaskCancel)]
    [InlineData((int)TaskState.BalanceCanceling, (int)TaskTransition.BalanceTaskCancel)]
    [InlineData((int)TaskState.Success, (int)TaskTransition.TaskCancel)]
    [InlineData((int)TaskState.Canceled, (int)TaskTransition.TaskResultSuccess)]
    [InlineData((int)TaskState.BalanceCanceled, (int)TaskTransition.HasCapacity)]
    [InlineData((int)TaskState.WorkerDisconnecting, (int)TaskTransition.TaskResultSuccess)]
    public void TryNext_SomeInvalidTransitions_AreRejected(int fromState, int onTransition)
    {
        Assert.False(TaskStateMachine.TryNext((TaskState)fromState, (TaskTransition)onTransition, out _));
    }

    [Fact]
    public void TryNext_OutOfRangeValues_AreRejected()
    {
        Assert.False(TaskStateMachine.TryNext((TaskState)42, TaskTransition.HasCapacity, out _));
        Assert.False(TaskStateMachine.TryNext(TaskState.Running, (TaskTransition)ushort.MaxValue, out _));
    }

    [Theory]
    [InlineData((int)TaskState.Canceling)]
    [InlineData((int)TaskState.BalanceCanceling)]
    public void AWaitingCancel_AcceptsEveryPossibleAnswer(int waitingState)
    {
        var waiting = (TaskState)waitingState;
        // #962: whatever the worker answers (or if it dies), a task waiting on a cancel must move on.
        TaskTransition[] answers =
        [
            TaskTransition.TaskCancelConfirmCanceled,
            TaskTransition.TaskCancelConfirmFailed,
            TaskTransition.TaskCancelConfirmNotFound,
            TaskTransition.WorkerDisconnect,
        ];
        Assert.All(answers, answer => Assert.True(TaskStateMachine.TryNext(waiting, answer, out _), $"{answer}"));
    }

    [Fact]
    public void EveryLiveState_CanReachATerminalState()
    {
        foreach (var state in Enum.GetValues<TaskState>())
        {
            if (TaskStateMachine.IsTerminal(state) || state == TaskState.BalanceCanceled)
            {
                continue;
            }

            var seen = new HashSet<TaskState> { state };
            var frontier = new Queue<TaskState>([state]);
            var reachesEnd = false;
            while (frontier.TryDequeue(out var current))
            {
                reachesEnd |= TaskStateMachine.IsTerminal(current);
                foreach (var transition in Enum.GetValues<TaskTransition>())
                {
                    if (TaskStateMachine.TryNext(current, transition, out var next) && seen.Add(next))
                    {
                        frontier.Enqueue(next);
                    }
                }
            }

            Assert.True(reachesEnd, $"{state} cannot reach an end");
        }
    }

    [Fact]
    public void TerminalStates_AcceptNothing()
    {
        TaskState[] terminal =
        [
            TaskState.Success, TaskState.Failed, TaskState.FailedWorkerDied, TaskState.Canceled,
            TaskState.CanceledNotFound,
        ];
        foreach (var state in terminal)
        {
            Assert.True(TaskStateMachine.IsTerminal(state));
            Assert.All(Enum.GetValues<TaskTransition>(), t => Assert.False(TaskStateMachine.TryNext(state, t, out _)));
        }

        Assert.False(TaskStateMachine.IsTerminal(TaskState.BalanceCanceling));
    }

}
