using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.Protocol;
using Scaler.Protocol.Messages;
using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Runtime;

/// <summary>The task manager's requests turned into frames (queued, never awaited inside the manager).</summary>
internal sealed partial class SchedulerCore
{
    void ISchedulerEffects.SendTask(WorkerId worker, SchedulerTask task) =>
        SendFrame(new PeerIdentity(worker.Span), MessageKind.Task, task.Frame);

    void ISchedulerEffects.SendTaskCancel(WorkerId worker, TaskId task, bool force) =>
        Send(new PeerIdentity(worker.Span), new TaskCancel
        {
            TaskId = task.Span.ToArray(),
            Flags = new TaskCancel.TaskCancelFlags { Force = force },
        });

    void ISchedulerEffects.SendTaskResult(ClientId client, TaskId task, TaskResultType resultType, object? payload)
    {
        // The worker's result goes to the client as received (metadata and result object ids included).
        var result = payload as TaskResult ?? new TaskResult
        {
            TaskId = task.Span.ToArray(),
            ResultType = resultType,
        };
        Send(client, result);
        if (_graphTasks.Owns(task))
        {
            _graphFollowUps.Enqueue(() => _graphTasks.OnNodeResult(task, result));
        }
    }

    void ISchedulerEffects.SendTaskCancelConfirm(ClientId client, TaskId task, TaskCancelConfirmType confirmType)
    {
        Send(client, new TaskCancelConfirm
        {
            TaskId = task.Span.ToArray(),
            CancelConfirmType = confirmType,
        });
        if (confirmType != TaskCancelConfirmType.CancelFailed && _graphTasks.Owns(task))
        {
            _graphFollowUps.Enqueue(() => _graphTasks.OnNodeCanceled(task));
        }
    }

    void ISchedulerEffects.TaskStateChanged(TaskId task, TaskState state, WorkerId worker)
    {
        // A terminal state is reported before the manager forgets the task, so it is still there to describe.
        if (_monitors.Count > 0 && _tasks.TryGetTask(task, out var submitted))
        {
            var message = (TaskMessage)MessageCodec.Decode(submitted.Frame);
            var function = message.FuncObjectId.Length == Scaler.Identity.ObjectId.ByteLength
                && _objects.TryGetName(Scaler.Identity.ObjectId.FromBytes(message.FuncObjectId), out var name)
                ? name
                : "<unknown func>"u8.ToArray();
            PublishMonitor(new StateTask
            {
                TaskId = task.Span.ToArray(),
                FunctionName = function,
                State = state,
                Worker = worker.Span.ToArray(),
                Capabilities = message.Capabilities,
                Metadata = message.Metadata,
            });
        }
    }
}
