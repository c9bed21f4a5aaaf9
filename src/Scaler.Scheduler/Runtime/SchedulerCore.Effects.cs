using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;
using Scaler.Scheduler.Identity;
using Scaler.Scheduler.Tasks;
using CoreConfirmType = Scaler.Scheduler.Tasks.TaskCancelConfirmType;
using CoreResultType = Scaler.Scheduler.Tasks.TaskResultType;
using CoreState = Scaler.Scheduler.Tasks.TaskState;
using WireConfirmType = Scaler.Protocol.Messages.TaskCancelConfirmType;
using WireResultType = Scaler.Protocol.Messages.TaskResultType;
using WireState = Scaler.Protocol.Messages.TaskState;

namespace Scaler.Scheduler.Runtime;

/// <summary>The task manager's requests turned into frames (queued, never awaited inside the manager).</summary>
internal sealed partial class SchedulerCore
{
    void ISchedulerEffects.SendTask(WorkerId worker, SchedulerTask task)
    {
        if (task.Payload is TaskMessage message)
        {
            Send(new PeerIdentity(worker.Span), message);
        }
    }

    void ISchedulerEffects.SendTaskCancel(WorkerId worker, TaskId task, bool force) =>
        Send(new PeerIdentity(worker.Span), new TaskCancel
        {
            TaskId = task.Span.ToArray(),
            Flags = new TaskCancel.TaskCancelFlags { Force = force },
        });

    void ISchedulerEffects.SendTaskResult(ClientId client, TaskId task, CoreResultType resultType, object? payload)
    {
        // The worker's result goes to the client as received (metadata and result object ids included).
        var result = payload as TaskResult ?? new TaskResult
        {
            TaskId = task.Span.ToArray(),
            ResultType = (WireResultType)(ushort)resultType,
        };
        Send(client, result);
        if (_graphTasks.Owns(task))
        {
            _graphFollowUps.Enqueue(() => _graphTasks.OnNodeResult(task, result));
        }
    }

    void ISchedulerEffects.SendTaskCancelConfirm(ClientId client, TaskId task, CoreConfirmType confirmType)
    {
        Send(client, new TaskCancelConfirm
        {
            TaskId = task.Span.ToArray(),
            CancelConfirmType = (WireConfirmType)(ushort)confirmType,
        });
        if (confirmType != CoreConfirmType.CancelFailed && _graphTasks.Owns(task))
        {
            _graphFollowUps.Enqueue(() => _graphTasks.OnNodeCanceled(task));
        }
    }

    void ISchedulerEffects.TaskStateChanged(TaskId task, CoreState state, WorkerId worker)
    {
        if (_liveTasks.TryGetValue(task, out var live))
        {
            var function = live.Message.FuncObjectId.Length == Scaler.ObjectStorage.Store.ObjectId.ByteLength
                && _objects.TryGetName(Scaler.ObjectStorage.Store.ObjectId.FromBytes(live.Message.FuncObjectId), out var name)
                ? name
                : "<unknown func>"u8.ToArray();
            PublishMonitor(new StateTask
            {
                TaskId = task.Span.ToArray(),
                FunctionName = function,
                State = (WireState)(ushort)state,
                Worker = worker.Span.ToArray(),
                Capabilities = live.Message.Capabilities,
                Metadata = live.Message.Metadata,
            });
        }

        if (TaskStateMachine.IsTerminal(state))
        {
            ForgetLiveTask(task);
        }
    }
}
