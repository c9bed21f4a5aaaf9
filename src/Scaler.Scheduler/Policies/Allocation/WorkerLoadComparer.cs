namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>Orders workers by queued task count, then by <see cref="WorkerTaskQueue.Order"/> (unique per worker).</summary>
internal sealed class WorkerLoadComparer : IComparer<WorkerTaskQueue>
{
    public static readonly WorkerLoadComparer Instance = new();

    public int Compare(WorkerTaskQueue? x, WorkerTaskQueue? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var byCount = x.Count.CompareTo(y.Count);
        return byCount != 0 ? byCount : x.Order.CompareTo(y.Order);
    }
}
