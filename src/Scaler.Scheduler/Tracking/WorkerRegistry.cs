using Scaler.Identity;
using Scaler.Scheduler.Policies.Scaling;
using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Tracking;

/// <summary>
/// Connected workers: a worker exists from its first heartbeat until it disconnects or stays silent longer than the
/// worker timeout; either way its tasks are requeued by the <see cref="TaskManager"/>. Also remembers which worker
/// manager started each worker (from its first heartbeat), for scaling.
/// </summary>
internal sealed class WorkerRegistry
{
    private readonly TaskManager _tasks;
    private readonly TimeSpan _timeout;
    private readonly HeartbeatTracker<WorkerId> _heartbeats;
    private readonly Dictionary<WorkerId, WorkerManagerId> _managerOf = [];
    private readonly Dictionary<WorkerManagerId, HashSet<WorkerId>> _workersOf = [];

    public WorkerRegistry(TaskManager tasks, TimeProvider time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _tasks = tasks;
        _timeout = timeout;
        _heartbeats = new HeartbeatTracker<WorkerId>(time);
    }

    public int Count => _heartbeats.Count;

    /// <summary>Records a heartbeat. True when this is a new worker (it was added and may have received tasks).</summary>
    public bool OnHeartbeat(
        WorkerId worker, WorkerManagerId manager, IReadOnlyDictionary<string, long> capabilities, int queueSize)
    {
        if (!_heartbeats.Beat(worker))
        {
            return false;
        }

        _tasks.AddWorker(worker, capabilities, queueSize);
        _managerOf.Add(worker, manager);
        if (!_workersOf.TryGetValue(manager, out var workers))
        {
            _workersOf.Add(manager, workers = []);
        }

        workers.Add(worker);
        return true;
    }

    /// <summary>
    /// A worker said goodbye (<paramref name="died"/> false) or its connection broke (true: its tasks count a worker
    /// death each). Returns the tasks it held that were requeued.
    /// </summary>
    public IReadOnlyList<TaskId> Disconnect(WorkerId worker, bool died) =>
        _heartbeats.Remove(worker) ? Forget(worker, died) : [];

    /// <summary>Drops every worker silent for longer than the timeout; returns them.</summary>
    public IReadOnlyList<WorkerId> RemoveTimedOut()
    {
        var expired = _heartbeats.RemoveExpired(_timeout);
        foreach (var worker in expired)
        {
            Forget(worker, died: true);
        }

        return expired;
    }

    /// <summary>The connected workers started by <paramref name="manager"/> (for status reports).</summary>
    public IReadOnlyCollection<WorkerId> WorkersOf(WorkerManagerId manager) =>
        _workersOf.TryGetValue(manager, out var workers) ? workers : [];

    public int CountOf(WorkerManagerId manager) => _workersOf.TryGetValue(manager, out var workers) ? workers.Count : 0;

    /// <summary>What the scaling policy sees when <paramref name="manager"/> heartbeats.</summary>
    public ScalingSnapshot SnapshotFor(WorkerManagerId manager, int maxTaskConcurrency) =>
        new(_tasks.TaskCount, _tasks.TaskCapabilities, Count, manager, maxTaskConcurrency, CountOf(manager));

    private IReadOnlyList<TaskId> Forget(WorkerId worker, bool died)
    {
        if (_managerOf.Remove(worker, out var manager) && _workersOf.TryGetValue(manager, out var workers))
        {
            workers.Remove(worker);
            if (workers.Count == 0)
            {
                _workersOf.Remove(manager);
            }
        }

        return _tasks.RemoveWorker(worker, died);
    }
}
