using Scaler.Identity;
using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Tests.Tasks;

/// <summary>Records what the task manager asks to send, as readable lines, in order.</summary>
internal sealed class RecordingEffects : ISchedulerEffects
{
    public List<string> Sent { get; } = [];

    public List<(TaskId Task, TaskState State)> States { get; } = [];

    public void SendTask(WorkerId worker, SchedulerTask task) => Sent.Add($"task {task.Id} -> {worker}");

    public void SendTaskCancel(WorkerId worker, TaskId task, bool force) =>
        Sent.Add($"cancel {task} -> {worker}{(force ? " (force)" : string.Empty)}");

    public void SendTaskResult(ClientId client, TaskId task, TaskResultType resultType, object? payload) =>
        Sent.Add($"result {task} {resultType} -> {client}{(payload is null ? string.Empty : $" [{payload}]")}");

    public void SendTaskCancelConfirm(ClientId client, TaskId task, TaskCancelConfirmType confirmType) =>
        Sent.Add($"confirm {task} {confirmType} -> {client}");

    public void TaskStateChanged(TaskId task, TaskState state, WorkerId worker) => States.Add((task, state));

    /// <summary>Returns what was sent since the last call and forgets it.</summary>
    public string[] Take()
    {
        var result = Sent.ToArray();
        Sent.Clear();
        return result;
    }
}
