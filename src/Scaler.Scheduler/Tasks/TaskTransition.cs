namespace Scaler.Scheduler.Tasks;

/// <summary>An event that moves a task. Ordinals match <c>TaskTransition</c> in the protocol's common.capnp.</summary>
internal enum TaskTransition
{
    HasCapacity = 0,
    TaskResultSuccess = 1,
    TaskResultFailed = 2,
    TaskResultWorkerDied = 3,
    TaskCancel = 4,
    TaskCancelConfirmCanceled = 5,
    TaskCancelConfirmFailed = 6,
    TaskCancelConfirmNotFound = 7,
    BalanceTaskCancel = 8,
    WorkerDisconnect = 9,
    SchedulerHasTask = 10,
    SchedulerHasNoTask = 11,
}
