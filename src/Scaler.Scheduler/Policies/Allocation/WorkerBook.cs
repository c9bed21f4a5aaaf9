using Scaler.Identity;

namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>
/// The bookkeeping both allocation policies share: workers in registration order, task placements, and, per distinct
/// capability set ("class"), the workers that still have a free slot bucketed by load. Every hot-path operation costs
/// O(classes + log workers): nothing scans tasks or workers per task.
/// </summary>
internal sealed class WorkerBook
{
    private readonly Dictionary<WorkerId, WorkerTaskQueue> _workers = [];
    private readonly List<WorkerTaskQueue> _registrationOrder = [];
    private readonly Dictionary<TaskId, Placement> _placements = [];
    private readonly Dictionary<WorkerTaskQueue, CapabilityClass> _classOfWorker = [];
    private readonly List<CapabilityClass> _classes = [];
    private long _nextOrder;

    public int WorkerCount => _workers.Count;

    public int TaskCount => _placements.Count;

    public IReadOnlyCollection<WorkerId> WorkerIds => _workers.Keys;

    /// <summary>Workers in registration order (the order balancing walks them, like the reference's dict order).</summary>
    public IReadOnlyList<WorkerTaskQueue> Workers => _registrationOrder;

    public bool TryGetQueue(WorkerId worker, out WorkerTaskQueue queue) => _workers.TryGetValue(worker, out queue!);

    public bool AddWorker(WorkerId worker, IReadOnlySet<string> capabilities, int queueSize)
    {
        if (_workers.ContainsKey(worker))
        {
            return false;
        }

        var queue = new WorkerTaskQueue(worker, capabilities, queueSize) { Order = _nextOrder++ };
        _workers.Add(worker, queue);
        _registrationOrder.Add(queue);

        var capabilityClass = _classes.Find(c => c.Names.SetEquals(capabilities));
        if (capabilityClass is null)
        {
            capabilityClass = new CapabilityClass(capabilities);
            _classes.Add(capabilityClass);
        }

        capabilityClass.WorkerCount++;
        _classOfWorker.Add(queue, capabilityClass);
        if (queue.Free > 0)
        {
            capabilityClass.Available.Add(queue);
        }

        return true;
    }

    public IReadOnlyList<TaskId> RemoveWorker(WorkerId worker)
    {
        if (!_workers.Remove(worker, out var queue))
        {
            return [];
        }

        // Removing a worker is rare (disconnect), so the O(workers) list removal is acceptable here.
        _registrationOrder.Remove(queue);
        _classOfWorker.Remove(queue, out var capabilityClass);
        capabilityClass!.Available.Remove(queue);
        if (--capabilityClass.WorkerCount == 0)
        {
            _classes.Remove(capabilityClass);
        }

        var tasks = new List<TaskId>(queue.Count);
        foreach (var task in queue.Tasks)
        {
            tasks.Add(task);
            _placements.Remove(task);
        }

        return tasks;
    }

    public bool TryGetWorker(TaskId task, out WorkerId worker)
    {
        if (_placements.TryGetValue(task, out var placement))
        {
            worker = placement.Queue.Id;
            return true;
        }

        worker = default;
        return false;
    }

    /// <summary>The least-loaded worker with a free slot whose class offers <paramref name="required"/>.</summary>
    public WorkerTaskQueue? FindLeastLoaded(IReadOnlyDictionary<string, long> required)
    {
        WorkerTaskQueue? best = null;
        foreach (var capabilityClass in _classes)
        {
            if (capabilityClass.Available.Count == 0 || !Policies.Capabilities.Satisfies(capabilityClass.Names, required))
            {
                continue;
            }

            var candidate = capabilityClass.Available.Min!;
            if (best is null || WorkerLoadComparer.Instance.Compare(candidate, best) < 0)
            {
                best = candidate;
            }
        }

        return best;
    }

    public void Place(TaskId task, WorkerTaskQueue queue)
    {
        var available = _classOfWorker[queue].Available;
        available.Remove(queue);
        _placements.Add(task, new Placement(queue, queue.Tasks.AddLast(task)));
        queue.Order = _nextOrder++;
        if (queue.Free > 0)
        {
            available.Add(queue);
        }
    }

    public bool TryRemoveTask(TaskId task, out WorkerId worker)
    {
        if (!_placements.Remove(task, out var placement))
        {
            worker = default;
            return false;
        }

        var queue = placement.Queue;
        var available = _classOfWorker[queue].Available;
        available.Remove(queue);
        queue.Tasks.Remove(placement.Node);
        queue.Order = _nextOrder++;
        if (queue.Free > 0)
        {
            available.Add(queue);
        }

        worker = queue.Id;
        return true;
    }

    public IReadOnlyList<WorkerLoad> Statistics()
    {
        var result = new List<WorkerLoad>(_registrationOrder.Count);
        foreach (var queue in _registrationOrder)
        {
            result.Add(new WorkerLoad(queue.Id, queue.Count, queue.Free));
        }

        return result;
    }

    private readonly record struct Placement(WorkerTaskQueue Queue, LinkedListNode<TaskId> Node);

    private sealed class CapabilityClass(IReadOnlySet<string> names)
    {
        public IReadOnlySet<string> Names { get; } = names;

        public AvailableWorkers Available { get; } = new();

        public int WorkerCount { get; set; }
    }
}
