using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Scaler.Identity;
using Scaler.Scheduler.Policies.Allocation;

namespace Scaler.Scheduler.Tasks;

/// <summary>
/// The scheduler's task bookkeeping, free of networking: a FIFO of pending tasks, task-to-worker placement (through
/// the allocation policy), and every task's state, moved only through <see cref="TaskStateMachine"/>. Messages that
/// must go out are requested through <see cref="ISchedulerEffects"/>. Not thread-safe: one caller (the scheduler's
/// event loop) drives it.
/// <para>
/// Guarantees: a task on a worker stays placed on that worker until the worker is done with it (result, confirmed
/// cancel) or gone, so a worker's death always finds and requeues it; nothing is lost; a result or cancel answer from
/// a worker that no longer holds the task is ignored, so nothing is delivered twice.
/// </para>
/// </summary>
internal sealed class TaskManager
{
    private readonly IAllocationPolicy _allocation;
    private readonly ISchedulerEffects _effects;
    private readonly TimeProvider _time;
    private readonly Dictionary<TaskId, TaskEntry> _tasks = [];
    private readonly LinkedList<TaskId> _pending = new();
    private readonly Dictionary<ClientId, HashSet<TaskId>> _tasksOfClient = [];
    private readonly long[] _stateCounts = new long[(int)TaskState.WorkerDisconnecting + 1];
    private readonly int _retriesAfterWorkerDeath;

    /// <summary>
    /// How many times, by default, a task whose worker died under it is placed again before it fails with
    /// <c>failedWorkerDied</c>: 3, as Dask's <c>allowed-failures</c> and the workers' retries of a dead processor. A
    /// worker killed from outside is not the task's doing; a task that brings down every worker it runs on is stopped
    /// on the 4th.
    /// </summary>
    public const int DefaultRetriesAfterWorkerDeath = 3;

    public TaskManager(
        IAllocationPolicy allocation, ISchedulerEffects effects, TimeProvider time, int retriesAfterWorkerDeath = DefaultRetriesAfterWorkerDeath)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegative(retriesAfterWorkerDeath);
        _allocation = allocation;
        _effects = effects;
        _time = time;
        _retriesAfterWorkerDeath = retriesAfterWorkerDeath;
    }

    /// <summary>Live tasks (queued or on a worker).</summary>
    public int TaskCount => _tasks.Count;

    /// <summary>Tasks waiting for a worker slot.</summary>
    public int PendingCount => _pending.Count;

    public IAllocationPolicy Allocation => _allocation;

    /// <summary>The capabilities of every live task, for capability scaling.</summary>
    public IEnumerable<IReadOnlyDictionary<string, long>> TaskCapabilities =>
        _tasks.Values.Select(entry => entry.Task.Capabilities);

    /// <summary>
    /// For live states: tasks in that state now. For terminal states: tasks that ended there since start (like the
    /// reference's statistics, which never count a finished task down).
    /// </summary>
    public long CountInState(TaskState state) => _stateCounts[(int)state];

    public TaskState? GetState(TaskId task) => _tasks.TryGetValue(task, out var entry) ? entry.State : null;

    /// <summary>The live task with that id, as it was submitted (its owner and frame); false once it ended.</summary>
    public bool TryGetTask(TaskId task, [NotNullWhen(true)] out SchedulerTask? submitted)
    {
        submitted = _tasks.TryGetValue(task, out var entry) ? entry.Task : null;
        return submitted is not null;
    }

    /// <summary>Live tasks (queued or on a worker) that <paramref name="client"/> owns.</summary>
    public int TaskCountOf(ClientId client) => _tasksOfClient.TryGetValue(client, out var owned) ? owned.Count : 0;

    public bool TryGetWorker(TaskId task, out WorkerId worker)
    {
        worker = _tasks.TryGetValue(task, out var entry) ? entry.Worker : default;
        return !worker.IsEmpty;
    }

    public bool TryGetSubmittedAt(TaskId task, out DateTimeOffset submittedAt)
    {
        submittedAt = _tasks.TryGetValue(task, out var entry) ? entry.SubmittedAt : default;
        return entry is not null;
    }

    /// <summary>Accepts a new task: sent to a worker at once if one has a slot, else queued. False for a duplicate id.</summary>
    public bool Submit(SchedulerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (_tasks.ContainsKey(task.Id))
        {
            return false;
        }

        var entry = new TaskEntry(task, _time.GetUtcNow());
        _tasks.Add(task.Id, entry);
        if (!_tasksOfClient.TryGetValue(task.Client, out var ofClient))
        {
            _tasksOfClient.Add(task.Client, ofClient = []);
        }

        ofClient.Add(task.Id);
        _stateCounts[(int)TaskState.Inactive]++;
        _effects.TaskStateChanged(task.Id, TaskState.Inactive, default);

        if (!TryDispatch(entry))
        {
            entry.PendingNode = _pending.AddLast(task.Id);
        }

        AssertInvariants(entry);
        return true;
    }

    /// <summary>
    /// A client asks to cancel. Queued: canceled at once. On a worker: a cancel goes to the worker and the answer
    /// decides. Unknown task: answered "not found" at once.
    /// </summary>
    public void Cancel(ClientId client, TaskId task, bool force)
    {
        if (!_tasks.TryGetValue(task, out var entry))
        {
            _effects.SendTaskCancelConfirm(client, task, TaskCancelConfirmType.CancelNotFound);
            return;
        }

        switch (entry.State)
        {
            case TaskState.Inactive:
                Move(entry, TaskTransition.TaskCancel);
                Finish(entry, TaskCancelConfirmType.Canceled);
                break;
            case TaskState.Running:
                Move(entry, TaskTransition.TaskCancel);
                _effects.SendTaskCancel(entry.Worker, task, force);
                break;
            case TaskState.BalanceCanceling:
                // A cancel is already in flight; if it fails the task would run on and this cancel would be lost,
                // so remember it and send it then.
                Move(entry, TaskTransition.TaskCancel);
                entry.DeferredCancelForce = force;
                break;
            default:
                // Already canceling: the answer to the cancel in flight settles it. If that one was polite and is
                // refused, a forced cancel asked for now is sent then.
                if (force)
                {
                    entry.DeferredCancelForce = true;
                }

                break;
        }

        AssertInvariants(entry);
    }

    /// <summary>A worker answers a cancel. Ignored when that worker does not hold the task (a stale answer).</summary>
    public bool OnCancelConfirm(WorkerId from, TaskId task, TaskCancelConfirmType confirmType)
    {
        if (!_tasks.TryGetValue(task, out var entry) || entry.Worker != from)
        {
            return false;
        }

        var transition = confirmType switch
        {
            TaskCancelConfirmType.Canceled => TaskTransition.TaskCancelConfirmCanceled,
            TaskCancelConfirmType.CancelFailed => TaskTransition.TaskCancelConfirmFailed,
            TaskCancelConfirmType.CancelNotFound => TaskTransition.TaskCancelConfirmNotFound,
            _ => throw new ArgumentOutOfRangeException(nameof(confirmType), confirmType, "unknown cancel confirm type"),
        };
        var deferredCancel = entry.DeferredCancelForce;
        if (!Move(entry, transition))
        {
            return false;
        }

        switch (entry.State)
        {
            case TaskState.Canceled:
                Finish(entry, TaskCancelConfirmType.Canceled);
                break;
            case TaskState.CanceledNotFound:
                Finish(entry, TaskCancelConfirmType.CancelNotFound);
                break;
            case TaskState.Inactive:
                // A balance cancel confirmed (or the worker no longer had the task): place it again elsewhere.
                ReleaseWorker(entry);
                Requeue(entry);
                DispatchPending();
                break;
            case TaskState.Running:
                entry.DeferredCancelForce = null;
                if (deferredCancel is { } force)
                {
                    // The balance cancel failed; now send the client's cancel it was holding back.
                    Move(entry, TaskTransition.TaskCancel);
                    _effects.SendTaskCancel(entry.Worker, task, force);
                }

                break;
            default:
                throw new UnreachableException($"cancel confirm led to {entry.State}");
        }

        AssertInvariants(entry);
        return true;
    }

    /// <summary>
    /// A worker reports a result. Ignored when that worker does not hold the task (e.g. a late result from a worker
    /// declared dead whose task was requeued) or when the state does not take results (canceling: the cancel answer
    /// decides).
    /// </summary>
    public bool OnTaskResult(WorkerId from, TaskId task, TaskResultType resultType, object? payload = null)
    {
        if (!_tasks.TryGetValue(task, out var entry) || entry.Worker != from)
        {
            return false;
        }

        var transition = resultType switch
        {
            TaskResultType.Success => TaskTransition.TaskResultSuccess,
            TaskResultType.Failed => TaskTransition.TaskResultFailed,
            TaskResultType.FailedWorkerDied => TaskTransition.TaskResultWorkerDied,
            _ => throw new ArgumentOutOfRangeException(nameof(resultType), resultType, "unknown result type"),
        };
        if (!Move(entry, transition))
        {
            return false;
        }

        ReleaseWorker(entry);
        Forget(entry);
        if (!entry.ClientGone)
        {
            _effects.SendTaskResult(entry.Task.Client, task, resultType, payload);
        }

        DispatchPending();
        return true;
    }

    /// <summary>A worker joined (first heartbeat). Queued tasks flow to it. False if it was already known.</summary>
    public bool AddWorker(WorkerId worker, IReadOnlyDictionary<string, long> capabilities, int queueSize)
    {
        if (!_allocation.AddWorker(worker, capabilities, queueSize))
        {
            return false;
        }

        DispatchPending();
        return true;
    }

    /// <summary>
    /// A worker left or timed out. Its running tasks go back to the front of the queue (in their order), its
    /// canceling tasks count as canceled. When <paramref name="died"/> (its connection broke or it went silent, as
    /// opposed to a worker that said goodbye), each running task counts one worker death, and a task past
    /// the retry limit fails with <c>failedWorkerDied</c> instead of being placed again. Returns the tasks requeued.
    /// </summary>
    public IReadOnlyList<TaskId> RemoveWorker(WorkerId worker, bool died = true)
    {
        var held = _allocation.RemoveWorker(worker);
        var requeued = new List<TaskId>();
        foreach (var task in held)
        {
            var entry = _tasks[task];
            entry.Worker = default;
            Move(entry, TaskTransition.WorkerDisconnect);
            if (entry.State == TaskState.Canceled)
            {
                Finish(entry, TaskCancelConfirmType.Canceled, dispatch: false);
                continue;
            }

            if (died && ++entry.WorkerDeaths > _retriesAfterWorkerDeath)
            {
                // It was run on 1 + limit workers and each died under it: placing it again would risk the next.
                Move(entry, TaskTransition.SchedulerHasNoTask);
                Forget(entry);
                if (!entry.ClientGone)
                {
                    _effects.SendTaskResult(entry.Task.Client, entry.Id, TaskResultType.FailedWorkerDied, null);
                }

                continue;
            }

            Move(entry, TaskTransition.SchedulerHasTask);
            entry.DeferredCancelForce = null;
            requeued.Add(task);
        }

        for (var i = requeued.Count - 1; i >= 0; i--)
        {
            var entry = _tasks[requeued[i]];
            entry.PendingNode = _pending.AddFirst(entry.Id);
            AssertInvariants(entry);
        }

        DispatchPending();
        return requeued;
    }

    /// <summary>
    /// A client is gone (disconnect or timeout): every task it owns is canceled with force, so running tasks stop
    /// and free their workers, and nothing more is sent to that client.
    /// </summary>
    public int DisconnectClient(ClientId client)
    {
        if (!_tasksOfClient.TryGetValue(client, out var owned))
        {
            return 0;
        }

        var entries = owned.Select(task => _tasks[task]).ToArray();
        foreach (var entry in entries)
        {
            entry.ClientGone = true;
        }

        // Queued tasks first, without refilling slots in between, so none of them is sent to a worker on the way.
        foreach (var entry in entries.Where(entry => entry.State == TaskState.Inactive))
        {
            Move(entry, TaskTransition.TaskCancel);
            Finish(entry, TaskCancelConfirmType.Canceled, dispatch: false);
        }

        foreach (var entry in entries.Where(entry => !TaskStateMachine.IsTerminal(entry.State)))
        {
            Cancel(client, entry.Id, force: true);
        }

        DispatchPending();
        return entries.Length;
    }

    /// <summary>
    /// Starts moving the advised tasks: each running task named there gets a (non-forced) cancel on its worker and
    /// stays placed there until the worker answers. Returns how many cancels were sent.
    /// </summary>
    public int ApplyBalanceAdvice(IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> advice)
    {
        ArgumentNullException.ThrowIfNull(advice);
        var sent = 0;
        foreach (var (worker, tasks) in advice)
        {
            foreach (var task in tasks)
            {
                // Only a running task can be balanced; one already being canceled keeps its cancel in flight.
                if (!_tasks.TryGetValue(task, out var entry) || entry.State != TaskState.Running || entry.Worker != worker)
                {
                    continue;
                }

                Move(entry, TaskTransition.BalanceTaskCancel);
                _effects.SendTaskCancel(worker, task, force: false);
                sent++;
                AssertInvariants(entry);
            }
        }

        return sent;
    }

    /// <summary>Checks every invariant over all tasks (O(tasks)); throws on the first violation. For tests.</summary>
    public void CheckInvariants()
    {
        var inactive = 0;
        var onWorker = 0;
        var live = new long[_stateCounts.Length];
        foreach (var entry in _tasks.Values)
        {
            CheckEntry(entry);
            live[(int)entry.State]++;
            inactive += entry.State == TaskState.Inactive ? 1 : 0;
            onWorker += TaskStateMachine.IsOnWorker(entry.State) ? 1 : 0;
        }

        Require(inactive == _pending.Count, $"{inactive} inactive tasks but {_pending.Count} queued");
        var owned = 0;
        foreach (var (client, tasks) in _tasksOfClient)
        {
            Require(tasks.Count > 0, $"{client} is listed with no live task");
            owned += tasks.Count;
        }

        Require(owned == _tasks.Count, $"{_tasks.Count} live tasks but clients own {owned}");
        var placed = _allocation.Statistics().Sum(load => load.Sent);
        Require(onWorker == placed, $"{onWorker} tasks on workers but the allocation policy holds {placed}");
        for (var state = 0; state < live.Length; state++)
        {
            if (!TaskStateMachine.IsTerminal((TaskState)state))
            {
                Require(live[state] == _stateCounts[state], $"count of {(TaskState)state} is off");
            }
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("task manager invariant broken: " + message);
        }
    }

    /// <summary>Checks one task after each operation settles it (debug builds only; O(1)).</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants(TaskEntry entry)
    {
        if (_tasks.ContainsKey(entry.Id))
        {
            CheckEntry(entry);
        }
        else
        {
            Require(TaskStateMachine.IsTerminal(entry.State), $"{entry.Id} forgotten in state {entry.State}");
            Require(entry.PendingNode is null && entry.Worker.IsEmpty, $"{entry.Id} forgotten but still placed");
            Require(!IsOwnedByItsClient(entry), $"{entry.Id} forgotten but still counted for {entry.Task.Client}");
        }
    }

    private void CheckEntry(TaskEntry entry)
    {
        var state = entry.State;
        Require(!TaskStateMachine.IsTerminal(state) && state != TaskState.WorkerDisconnecting,
            $"{entry.Id} is live in state {state}");
        Require(IsOwnedByItsClient(entry), $"{entry.Id} is live but not counted for {entry.Task.Client}");
        var placed = _allocation.TryGetWorker(entry.Id, out var placedOn);
        if (state == TaskState.Inactive)
        {
            Require(entry.PendingNode is not null, $"{entry.Id} is inactive but not queued");
            Require(entry.Worker.IsEmpty && !placed, $"{entry.Id} is inactive but placed on a worker");
        }
        else
        {
            Require(entry.PendingNode is null, $"{entry.Id} is {state} but still queued");
            Require(!entry.Worker.IsEmpty && placed && placedOn == entry.Worker,
                $"{entry.Id} is {state} on {entry.Worker} but the allocation policy says {placedOn}");
        }
    }

    private bool IsOwnedByItsClient(TaskEntry entry) =>
        _tasksOfClient.TryGetValue(entry.Task.Client, out var owned) && owned.Contains(entry.Id);

    private bool Move(TaskEntry entry, TaskTransition transition)
    {
        if (!TaskStateMachine.TryNext(entry.State, transition, out var next))
        {
            return false;
        }

        _stateCounts[(int)entry.State]--;
        _stateCounts[(int)next]++;
        entry.State = next;
        _effects.TaskStateChanged(entry.Id, next, entry.Worker);
        return true;
    }

    /// <summary>Places an inactive task on a worker and sends it there. False when no worker can take it now.</summary>
    private bool TryDispatch(TaskEntry entry)
    {
        if (!_allocation.TryAssignTask(entry.Id, entry.Task.Capabilities, out var worker))
        {
            return false;
        }

        entry.Worker = worker;
        Move(entry, TaskTransition.HasCapacity);
        _effects.SendTask(worker, entry.Task);
        return true;
    }

    /// <summary>
    /// Sends queued tasks, oldest first, while the head of the queue finds a worker. Like the reference, the queue
    /// stops at the first task no worker can take (a task needing a missing capability holds the ones behind it).
    /// </summary>
    private void DispatchPending()
    {
        while (_pending.First is { } head)
        {
            var entry = _tasks[head.Value];
            if (!TryDispatch(entry))
            {
                return;
            }

            _pending.RemoveFirst();
            entry.PendingNode = null;
            AssertInvariants(entry);
        }
    }

    private void Requeue(TaskEntry entry)
    {
        entry.PendingNode = _pending.AddFirst(entry.Id);
        entry.DeferredCancelForce = null;
    }

    private void ReleaseWorker(TaskEntry entry)
    {
        if (!entry.Worker.IsEmpty)
        {
            _allocation.TryRemoveTask(entry.Id, out _);
            entry.Worker = default;
        }
    }

    /// <summary>Ends a task with a cancel answer to its client (unless the client is gone).</summary>
    private void Finish(TaskEntry entry, TaskCancelConfirmType confirmType, bool dispatch = true)
    {
        ReleaseWorker(entry);
        Forget(entry);
        if (!entry.ClientGone)
        {
            _effects.SendTaskCancelConfirm(entry.Task.Client, entry.Id, confirmType);
        }

        if (dispatch)
        {
            DispatchPending();
        }
    }

    private void Forget(TaskEntry entry)
    {
        if (entry.PendingNode is not null)
        {
            _pending.Remove(entry.PendingNode);
            entry.PendingNode = null;
        }

        _tasks.Remove(entry.Id);
        if (_tasksOfClient.TryGetValue(entry.Task.Client, out var owned))
        {
            owned.Remove(entry.Id);
            if (owned.Count == 0)
            {
                _tasksOfClient.Remove(entry.Task.Client);
            }
        }
    }
}
