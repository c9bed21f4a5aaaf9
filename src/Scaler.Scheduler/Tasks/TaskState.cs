namespace Scaler.Scheduler.Tasks;

/// <summary>A task's state in the scheduler. Ordinals match <c>TaskState</c> in the protocol's common.capnp.</summary>
internal enum TaskState
{
    Inactive = 0,
    Running = 1,
    Canceling = 2,
    BalanceCanceling = 3,
    Success = 4,
    Failed = 5,
    FailedWorkerDied = 6,
    Canceled = 7,
    CanceledNotFound = 8,

    /// <summary>In the protocol enum but never entered (neither by the reference nor by us).</summary>
    BalanceCanceled = 9,
    WorkerDisconnecting = 10,
}
