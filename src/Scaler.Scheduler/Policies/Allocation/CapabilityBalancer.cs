using Scaler.Identity;

namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>
/// The capability-aware balancing rule (same outcome as the reference's). Only runs when some worker is idle.
/// target = max(mean tasks per worker, 1); a worker is balanced when |tasks - target| &lt; 1 and overloaded when
/// tasks - target &gt;= 1. Repeatedly, the most loaded worker gives its youngest movable task to the least loaded
/// worker below target that offers the task's capabilities; a task no receiver can take is not tried again, and a
/// donor that cannot give anything leaves the game. Stops when the most loaded worker is not overloaded or fewer
/// than two unbalanced workers remain. Moves between more than two workers (chains) are not searched.
/// </summary>
internal static class CapabilityBalancer
{
    public static IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> Advise(
        IReadOnlyList<WorkerTaskQueue> workers,
        Func<TaskId, IReadOnlyDictionary<string, long>> capabilitiesOf)
    {
        var advice = new Dictionary<WorkerId, IReadOnlyList<TaskId>>();
        if (workers.Count == 0 || !workers.Any(worker => worker.Count == 0))
        {
            return advice;
        }

        long totalTasks = workers.Sum(worker => (long)worker.Count);
        var target = Math.Max((double)totalTasks / workers.Count, 1.0);
        var order = new SortedSet<SimulatedWorker>(SimulatedWorker.ByLoad);
        for (var i = 0; i < workers.Count; i++)
        {
            var simulated = new SimulatedWorker(workers[i], i);
            if (!simulated.IsBalanced(target))
            {
                order.Add(simulated);
            }
        }

        var moved = new HashSet<TaskId>();
        var unmovable = new HashSet<TaskId>();
        var adviceLists = new Dictionary<WorkerId, List<TaskId>>();
        while (order.Count >= 2)
        {
            var donor = order.Max!;
            order.Remove(donor);
            if (donor.Count - target < 1)
            {
                break;
            }

            SimulatedWorker? receiver = null;
            for (var node = donor.Queue.Tasks.Last; node is not null && receiver is null; node = node.Previous)
            {
                var task = node.Value;
                if (moved.Contains(task) || unmovable.Contains(task))
                {
                    continue;
                }

                receiver = FindReceiver(order, target, capabilitiesOf(task));
                if (receiver is null)
                {
                    unmovable.Add(task);
                    continue;
                }

                moved.Add(task);
                if (!adviceLists.TryGetValue(donor.Queue.Id, out var list))
                {
                    adviceLists.Add(donor.Queue.Id, list = []);
                }

                list.Add(task);
            }

            if (receiver is null)
            {
                continue;
            }

            order.Remove(receiver);
            donor.Count--;
            receiver.Count++;
            if (!donor.IsBalanced(target))
            {
                order.Add(donor);
            }

            if (!receiver.IsBalanced(target))
            {
                order.Add(receiver);
            }
        }

        foreach (var (worker, list) in adviceLists)
        {
            advice.Add(worker, list);
        }

        return advice;
    }

    private static SimulatedWorker? FindReceiver(
        SortedSet<SimulatedWorker> order, double target, IReadOnlyDictionary<string, long> required)
    {
        foreach (var candidate in order)
        {
            if (candidate.Count >= target)
            {
                return null;
            }

            if (Capabilities.Satisfies(candidate.Queue.Capabilities, required))
            {
                return candidate;
            }
        }

        return null;
    }

    private sealed class SimulatedWorker(WorkerTaskQueue queue, int index)
    {
        public static readonly IComparer<SimulatedWorker> ByLoad = Comparer<SimulatedWorker>.Create((x, y) =>
        {
            var byCount = x.Count.CompareTo(y.Count);
            return byCount != 0 ? byCount : x.Index.CompareTo(y.Index);
        });

        public WorkerTaskQueue Queue { get; } = queue;

        public int Index { get; } = index;

        public int Count { get; set; } = queue.Count;

        public bool IsBalanced(double target) => Math.Abs(Count - target) < 1;
    }
}
