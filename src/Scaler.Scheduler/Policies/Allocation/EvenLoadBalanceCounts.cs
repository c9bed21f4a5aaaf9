namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>
/// How many tasks each worker should give up, by the reference's even-load rule. A worker's first task is taken as
/// running; the rest are "queued". Nothing moves unless some worker has queued tasks and some worker is idle (no task
/// at all). Each worker sheds what it has above the mean queued count (rounded up); if that frees fewer tasks than
/// min(idle workers, total queued), the shortfall is taken from the workers' remaining queued tasks in registration
/// order. O(workers).
/// </summary>
internal static class EvenLoadBalanceCounts
{
    public static int[] Compute(IReadOnlyList<WorkerTaskQueue> workers)
    {
        var counts = new int[workers.Count];
        var queued = new int[workers.Count];
        long totalQueued = 0;
        var idle = 0;
        for (var i = 0; i < workers.Count; i++)
        {
            queued[i] = Math.Max(0, workers[i].Count - 1);
            totalQueued += queued[i];
            if (workers[i].Count == 0)
            {
                idle++;
            }
        }

        if (totalQueued == 0 || idle == 0)
        {
            return counts;
        }

        var meanQueued = (totalQueued + workers.Count - 1) / workers.Count;
        long overMean = 0;
        for (var i = 0; i < workers.Count; i++)
        {
            counts[i] = (int)Math.Max(0, queued[i] - meanQueued);
            overMean += counts[i];
        }

        var wanted = Math.Min(idle, totalQueued);
        var shortfall = wanted - overMean;
        for (var i = 0; i < workers.Count && shortfall > 0; i++)
        {
            var leftover = queued[i] - counts[i];
            if (leftover < 1)
            {
                continue;
            }

            var extra = (int)Math.Min(leftover, shortfall);
            counts[i] += extra;
            shortfall -= extra;
        }

        return counts;
    }
}
