using Scaler.Identity;

namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>
/// <c>allocate=capability</c>: a task goes to the least-loaded worker with a free slot among those offering every
/// capability name the task asks for (values are not compared; the reference only warns about finite ones).
/// Workers are grouped by capability set, so assigning costs O(distinct sets + log workers).
/// </summary>
internal sealed class CapabilityAllocationPolicy : IAllocationPolicy
{
    private readonly WorkerBook _book = new();
    private readonly Dictionary<TaskId, IReadOnlyDictionary<string, long>> _taskCapabilities = [];

    public int WorkerCount => _book.WorkerCount;

    public IReadOnlyCollection<WorkerId> WorkerIds => _book.WorkerIds;

    public bool AddWorker(WorkerId worker, IReadOnlyDictionary<string, long> capabilities, int queueSize)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        return _book.AddWorker(worker, capabilities.Keys.ToHashSet(StringComparer.Ordinal), queueSize);
    }

    public IReadOnlyList<TaskId> RemoveWorker(WorkerId worker)
    {
        var tasks = _book.RemoveWorker(worker);
        foreach (var task in tasks)
        {
            _taskCapabilities.Remove(task);
        }

        return tasks;
    }

    public bool TryGetWorker(TaskId task, out WorkerId worker) => _book.TryGetWorker(task, out worker);

    public bool TryAssignTask(TaskId task, IReadOnlyDictionary<string, long> capabilities, out WorkerId worker)
    {
        if (_book.TryGetWorker(task, out worker))
        {
            return true;
        }

        var queue = _book.FindLeastLoaded(capabilities);
        if (queue is null)
        {
            return false;
        }

        _book.Place(task, queue);
        _taskCapabilities.Add(task, capabilities);
        worker = queue.Id;
        return true;
    }

    public bool TryRemoveTask(TaskId task, out WorkerId worker)
    {
        _taskCapabilities.Remove(task);
        return _book.TryRemoveTask(task, out worker);
    }

    public bool HasAvailableWorker(IReadOnlyDictionary<string, long> capabilities) =>
        _book.FindLeastLoaded(capabilities) is not null;

    public IReadOnlyList<WorkerLoad> Statistics() => _book.Statistics();

    /// <summary>Advice per donor worker, in the order the tasks were chosen (youngest first).</summary>
    public IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> Balance() =>
        CapabilityBalancer.Advise(_book.Workers, task => _taskCapabilities[task]);
}
