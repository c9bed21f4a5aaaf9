using Scaler.Identity;

namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>
/// <c>allocate=even_load</c>: every task goes to the worker with the fewest tasks that still has a free slot
/// (ties: the worker whose load changed least recently). Capabilities of workers and tasks are ignored.
/// Unlike the reference, a full worker never hides a free one with a bigger queue: only workers with free slots
/// compete, so uneven queue sizes work.
/// </summary>
internal sealed class EvenLoadAllocationPolicy : IAllocationPolicy
{
    private static readonly IReadOnlySet<string> NoCapabilities = new HashSet<string>();

    private readonly WorkerBook _book = new();

    public int WorkerCount => _book.WorkerCount;

    public IReadOnlyCollection<WorkerId> WorkerIds => _book.WorkerIds;

    public bool AddWorker(WorkerId worker, IReadOnlyDictionary<string, long> capabilities, int queueSize) =>
        _book.AddWorker(worker, NoCapabilities, queueSize);

    public IReadOnlyList<TaskId> RemoveWorker(WorkerId worker) => _book.RemoveWorker(worker);

    public bool TryGetWorker(TaskId task, out WorkerId worker) => _book.TryGetWorker(task, out worker);

    public bool TryAssignTask(TaskId task, IReadOnlyDictionary<string, long> capabilities, out WorkerId worker)
    {
        if (_book.TryGetWorker(task, out worker))
        {
            return true;
        }

        var queue = _book.FindLeastLoaded(Capabilities.None);
        if (queue is null)
        {
            return false;
        }

        _book.Place(task, queue);
        worker = queue.Id;
        return true;
    }

    public bool TryRemoveTask(TaskId task, out WorkerId worker) => _book.TryRemoveTask(task, out worker);

    public bool HasAvailableWorker(IReadOnlyDictionary<string, long> capabilities) =>
        _book.FindLeastLoaded(Capabilities.None) is not null;

    public IReadOnlyList<WorkerLoad> Statistics() => _book.Statistics();

    public IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> Balance()
    {
        var workers = _book.Workers;
        var counts = EvenLoadBalanceCounts.Compute(workers);
        var advice = new Dictionary<WorkerId, IReadOnlyList<TaskId>>();
        for (var i = 0; i < workers.Count; i++)
        {
            if (counts[i] > 0)
            {
                advice.Add(workers[i].Id, YoungestTasks(workers[i].Tasks, counts[i]));
            }
        }

        return advice;
    }

    /// <summary>The <paramref name="count"/> most recently queued tasks, oldest of them first.</summary>
    private static TaskId[] YoungestTasks(LinkedList<TaskId> tasks, int count)
    {
        var result = new TaskId[count];
        var node = tasks.Last;
        for (var i = count - 1; i >= 0; i--)
        {
            result[i] = node!.Value;
            node = node.Previous;
        }

        return result;
    }
}
