using Scaler.Identity;

namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>One worker as the allocation policies see it: its offer, its slot count and its tasks, oldest first.</summary>
internal sealed class WorkerTaskQueue(WorkerId id, IReadOnlySet<string> capabilities, int queueSize)
{
    public WorkerId Id { get; } = id;

    public IReadOnlySet<string> Capabilities { get; } = capabilities;

    public int QueueSize { get; } = queueSize;

    public LinkedList<TaskId> Tasks { get; } = new();

    /// <summary>Tie-break among equally loaded workers: the one whose load changed least recently goes first.</summary>
    public long Order { get; set; }

    /// <summary>This worker's place among the workers with a free slot (null when full).</summary>
    public LinkedListNode<WorkerTaskQueue>? AvailableNode { get; set; }

    public int Count => Tasks.Count;

    public int Free => QueueSize - Tasks.Count;
}
