using Scaler.Identity;

namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>
/// Decides which worker a task goes to and keeps the task-to-worker bookkeeping. A task stays assigned to its worker
/// until <see cref="TryRemoveTask"/> or <see cref="RemoveWorker"/>: the scheduler core removes it only when the worker
/// is really done with it (result, confirmed cancel, worker gone), never when a cancel is merely sent.
/// </summary>
internal interface IAllocationPolicy
{
    int WorkerCount { get; }

    IReadOnlyCollection<WorkerId> WorkerIds { get; }

    /// <summary>Adds a worker able to hold <paramref name="queueSize"/> tasks. False if it is already known.</summary>
    bool AddWorker(WorkerId worker, IReadOnlyDictionary<string, long> capabilities, int queueSize);

    /// <summary>Removes a worker and returns the tasks it held, oldest first (empty if unknown).</summary>
    IReadOnlyList<TaskId> RemoveWorker(WorkerId worker);

    bool TryGetWorker(TaskId task, out WorkerId worker);

    /// <summary>
    /// Places a task on the least-loaded worker that has a free slot (and, for capability allocation, offers every
    /// capability asked). A task already placed stays where it is. False when no worker can take it now.
    /// </summary>
    bool TryAssignTask(TaskId task, IReadOnlyDictionary<string, long> capabilities, out WorkerId worker);

    /// <summary>Forgets a task, freeing its slot. False (and no worker) if the task was not placed.</summary>
    bool TryRemoveTask(TaskId task, out WorkerId worker);

    bool HasAvailableWorker(IReadOnlyDictionary<string, long> capabilities);

    /// <summary>
    /// Load-balance advice: for each overloaded worker, the tasks that should move to less loaded workers.
    /// Pure: nothing is changed; the caller cancels those tasks on their workers and requeues them when confirmed.
    /// </summary>
    IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> Balance();

    /// <summary>Per worker, in registration order: tasks sent and free slots.</summary>
    IReadOnlyList<WorkerLoad> Statistics();
}
