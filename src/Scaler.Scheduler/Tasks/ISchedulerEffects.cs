using Scaler.Identity;

namespace Scaler.Scheduler.Tasks;

/// <summary>
/// What the core asks the outside world to do. The networking layer implements it by sending messages; tests record
/// the calls. Calls happen synchronously inside <see cref="TaskManager"/> methods, in the order the messages must go
/// out; an implementation must not call back into the manager (queue the sends instead).
/// </summary>
internal interface ISchedulerEffects
{
    void SendTask(WorkerId worker, SchedulerTask task);

    void SendTaskCancel(WorkerId worker, TaskId task, bool force);

    void SendTaskResult(ClientId client, TaskId task, TaskResultType resultType, object? payload);

    void SendTaskCancelConfirm(ClientId client, TaskId task, TaskCancelConfirmType confirmType);

    /// <summary>For the monitor: the task entered <paramref name="state"/> (worker empty when not on a worker).</summary>
    void TaskStateChanged(TaskId task, TaskState state, WorkerId worker);
}
