namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>
/// Workers that have a free slot, bucketed by queued task count, so the least-loaded one is found in O(1) and
/// a task placed or removed costs O(1) (amortised: the minimum only walks up over empty buckets). Within a bucket
/// workers are kept in the order they entered it, so equally loaded workers take turns.
/// A balanced tree (SortedSet) was measured several times slower for this access pattern (every placement walks it).
/// </summary>
internal sealed class AvailableWorkers
{
    private readonly List<LinkedList<WorkerTaskQueue>> _buckets = [];
    private int _min;

    public int Count { get; private set; }

    /// <summary>The least-loaded worker (the longest waiting among equals), or null when none has a free slot.</summary>
    public WorkerTaskQueue? Min => Count == 0 ? null : _buckets[_min].First!.Value;

    public void Add(WorkerTaskQueue queue)
    {
        var count = queue.Count;
        while (_buckets.Count <= count)
        {
            _buckets.Add(new LinkedList<WorkerTaskQueue>());
        }

        queue.AvailableNode = _buckets[count].AddLast(queue);
        if (Count == 0 || count < _min)
        {
            _min = count;
        }

        Count++;
    }

    /// <summary>Removes a worker; must be called before its task count changes.</summary>
    public void Remove(WorkerTaskQueue queue)
    {
        var node = queue.AvailableNode;
        if (node is null)
        {
            return;
        }

        var bucket = node.List!;
        bucket.Remove(node);
        queue.AvailableNode = null;
        Count--;
        if (Count == 0)
        {
            _min = 0;
            return;
        }

        while (_buckets[_min].Count == 0)
        {
            _min++;
        }
    }
}
