namespace Scaler.Scheduler.Tasks;

/// <summary>
/// The task state machine as one table: (state, transition) to next state, or no entry when the event is not valid
/// in that state (the caller then ignores the event and logs it). It is the reference's table plus one row
/// (balanceCanceling + cancel-confirm-not-found to inactive), which closes the reference's bug #962: a task whose
/// balance cancel was answered "not found" had no way out. See docs/scheduler.md.
/// </summary>
internal static class TaskStateMachine
{
    private const int StateCount = (int)TaskState.WorkerDisconnecting + 1;
    private const int TransitionCount = (int)TaskTransition.SchedulerHasNoTask + 1;
    private const sbyte Invalid = -1;

    /// <summary>Every valid (from, transition, to) triple, in one readable list.</summary>
    public static readonly IReadOnlyList<(TaskState From, TaskTransition On, TaskState To)> Rules =
    [
        (TaskState.Inactive, TaskTransition.HasCapacity, TaskState.Running),
        (TaskState.Inactive, TaskTransition.TaskCancel, TaskState.Canceled),

        (TaskState.Running, TaskTransition.TaskResultSuccess, TaskState.Success),
        (TaskState.Running, TaskTransition.TaskResultFailed, TaskState.Failed),
        (TaskState.Running, TaskTransition.TaskResultWorkerDied, TaskState.FailedWorkerDied),
        (TaskState.Running, TaskTransition.TaskCancel, TaskState.Canceling),
        (TaskState.Running, TaskTransition.BalanceTaskCancel, TaskState.BalanceCanceling),
        (TaskState.Running, TaskTransition.WorkerDisconnect, TaskState.WorkerDisconnecting),

        (TaskState.Canceling, TaskTransition.TaskCancelConfirmCanceled, TaskState.Canceled),
        (TaskState.Canceling, TaskTransition.TaskCancelConfirmFailed, TaskState.Running),
        (TaskState.Canceling, TaskTransition.TaskCancelConfirmNotFound, TaskState.CanceledNotFound),
        (TaskState.Canceling, TaskTransition.WorkerDisconnect, TaskState.Canceled),

        (TaskState.BalanceCanceling, TaskTransition.TaskResultSuccess, TaskState.Success),
        (TaskState.BalanceCanceling, TaskTransition.TaskResultFailed, TaskState.Failed),
        (TaskState.BalanceCanceling, TaskTransition.TaskResultWorkerDied, TaskState.FailedWorkerDied),
        (TaskState.BalanceCanceling, TaskTransition.TaskCancel, TaskState.Canceling),
        (TaskState.BalanceCanceling, TaskTransition.TaskCancelConfirmCanceled, TaskState.Inactive),
        (TaskState.BalanceCanceling, TaskTransition.TaskCancelConfirmFailed, TaskState.Running),
        (TaskState.BalanceCanceling, TaskTransition.TaskCancelConfirmNotFound, TaskState.Inactive),
        (TaskState.BalanceCanceling, TaskTransition.WorkerDisconnect, TaskState.WorkerDisconnecting),

        (TaskState.WorkerDisconnecting, TaskTransition.SchedulerHasTask, TaskState.Inactive),
        (TaskState.WorkerDisconnecting, TaskTransition.SchedulerHasNoTask, TaskState.FailedWorkerDied),
    ];

    private static readonly sbyte[] Table = BuildTable();

    public static bool TryNext(TaskState state, TaskTransition transition, out TaskState next)
    {
        var s = (int)state;
        var t = (int)transition;
        if ((uint)s >= StateCount || (uint)t >= TransitionCount || Table[(s * TransitionCount) + t] == Invalid)
        {
            next = state;
            return false;
        }

        next = (TaskState)Table[(s * TransitionCount) + t];
        return true;
    }

    /// <summary>Terminal states: the task is done and the scheduler forgets it.</summary>
    public static bool IsTerminal(TaskState state) => state is TaskState.Success or TaskState.Failed
        or TaskState.FailedWorkerDied or TaskState.Canceled or TaskState.CanceledNotFound;

    /// <summary>States in which the task is placed on a worker (the allocation policy holds a slot for it).</summary>
    public static bool IsOnWorker(TaskState state) =>
        state is TaskState.Running or TaskState.Canceling or TaskState.BalanceCanceling;

    private static sbyte[] BuildTable()
    {
        var table = new sbyte[StateCount * TransitionCount];
        Array.Fill(table, Invalid);
        foreach (var (from, on, to) in Rules)
        {
            table[((int)from * TransitionCount) + (int)on] = (sbyte)to;
        }

        return table;
    }
}
