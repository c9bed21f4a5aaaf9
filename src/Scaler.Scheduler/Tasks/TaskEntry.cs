using Scaler.Identity;

namespace Scaler.Scheduler.Tasks;

/// <summary>The core's mutable record of one live task.</summary>
internal sealed class TaskEntry(SchedulerTask task, DateTimeOffset submittedAt)
{
    public SchedulerTask Task { get; } = task;

    public TaskId Id => Task.Id;

    public DateTimeOffset SubmittedAt { get; } = submittedAt;

    public TaskState State { get; set; } = TaskState.Inactive;

    /// <summary>The worker holding the task; empty unless the state is running, canceling or balanceCanceling.</summary>
    public WorkerId Worker { get; set; }

    /// <summary>The task's node in the pending queue while inactive.</summary>
    public LinkedListNode<TaskId>? PendingNode { get; set; }

    /// <summary>Workers that died (or went silent) while they held this task.</summary>
    public int WorkerDeaths { get; set; }

    /// <summary>The owning client disconnected: nothing more is sent to it about this task.</summary>
    public bool ClientGone { get; set; }

    /// <summary>
    /// A client cancel arrived while a balance cancel was in flight, so it was not sent; if the balance cancel fails,
    /// the client cancel is sent then (with this force flag) instead of being lost.
    /// </summary>
    public bool? DeferredCancelForce { get; set; }
}
