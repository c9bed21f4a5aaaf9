using System.Diagnostics.CodeAnalysis;
using Scaler.Identity;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// The tasks one Symphony backend holds and where each one is (<see cref="InFlightState"/>): awaiting preparation,
/// being prepared, waiting for a Symphony slot, or in Symphony. It enforces the backend's three bounds: at most
/// <c>maxInSymphony</c> tasks sent, at most <c>heldLimit</c> held in all, and no preparation started while the
/// envelopes held reach <c>maxEnvelopeBytesAhead</c> bytes. Its lock guards every task's <see cref="InFlightTask.State"/>
/// and <see cref="InFlightTask.Input"/>; tasks waiting for a session are parked with the session keeper, asked under
/// this lock (the order is always this lock, then the keeper's), so a task is never parked after its session opened.
/// </summary>
/// <remarks>
/// Every method only moves tasks between states and returns what the caller must do next (preparations to start, a
/// task to send); nothing here awaits, calls SOAM or calls back, so the bookkeeping is tested on its own.
/// </remarks>
internal sealed class HeldTasks(int maxInSymphony, int heldLimit, long maxEnvelopeBytesAhead)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TaskId, InFlightTask> _tasks = [];
    private readonly List<InFlightTask> _accepted = [];
    private readonly List<InFlightTask> _ready = [];
    private int _inSymphony;
    private long _envelopeBytes;
    private bool _closed;

    /// <summary>Tasks held (awaiting preparation, preparing, waiting for a session or a slot, or in Symphony).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _tasks.Count;
            }
        }
    }

    /// <summary>Tasks sent to Symphony and not finished: the slots taken.</summary>
    public int InSymphony
    {
        get
        {
            lock (_gate)
            {
                return _inSymphony;
            }
        }
    }

    /// <summary>Bytes of the envelopes held (prepared, waiting, or in Symphony).</summary>
    public long EnvelopeBytes
    {
        get
        {
            lock (_gate)
            {
                return _envelopeBytes;
            }
        }
    }

    /// <summary>Tasks held whose preparation has not started (held back by the byte bound).</summary>
    public int AwaitingPreparation
    {
        get
        {
            lock (_gate)
            {
                return _accepted.Count;
            }
        }
    }

    /// <summary>Whether one more task may be accepted (the count bound; none once closed).</summary>
    public bool HasRoom
    {
        get
        {
            lock (_gate)
            {
                return !_closed && _tasks.Count < heldLimit;
            }
        }
    }

    /// <summary>Holds a new task; returns the tasks whose preparation may start now (null when none).</summary>
    public List<InFlightTask>? Accept(InFlightTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_gate)
        {
            _tasks[task.Key] = task;
            _accepted.Add(task);
            return TakePreparableLocked();
        }
    }

    /// <summary>
    /// A preparation ended: the task keeps its envelope (unless it was cancelled meanwhile; null when it failed), and
    /// the preparations the byte bound held back may start.
    /// </summary>
    public List<InFlightTask>? PreparationEnded(InFlightTask task, byte[]? input)
    {
        lock (_gate)
        {
            if (task.State != InFlightState.Done)
            {
                SetInputLocked(task, input);
            }

            return TakePreparableLocked();
        }
    }

    /// <summary>
    /// Cancels a task not yet sent to Symphony (false when it is not held, or already sent: SOAM cannot cancel it).
    /// </summary>
    public bool TryCancel(TaskId key, [NotNullWhen(true)] out InFlightTask? cancelled, out List<InFlightTask>? preparable)
    {
        lock (_gate)
        {
            preparable = null;
            if (!_tasks.TryGetValue(key, out cancelled) || cancelled.State == InFlightState.Sent)
            {
                cancelled = null;
                return false;
            }

            cancelled.State = InFlightState.Done;
            _tasks.Remove(key);
            _accepted.Remove(cancelled);
            _ready.Remove(cancelled);
            SetInputLocked(cancelled, null);
            preparable = TakePreparableLocked();
            return true;
        }
    }

    /// <summary>
    /// Takes a Symphony slot for a prepared task, in the session <paramref name="sessionOrPark"/> gives. Without a
    /// session the task is parked there (it waits for one); without a free slot it waits in the ready queue for
    /// <see cref="TakeReady"/>. False also for a task already done or once closed.
    /// </summary>
    public bool TryTakeSlot<TSession>(
        InFlightTask task,
        Func<InFlightTask, TSession?> sessionOrPark,
        [NotNullWhen(true)] out TSession? session,
        [NotNullWhen(true)] out byte[]? input)
        where TSession : class
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(sessionOrPark);
        input = null;
        session = null;
        lock (_gate)
        {
            if (task.State == InFlightState.Done || _closed)
            {
                return false;
            }

            var current = sessionOrPark(task);
            if (current is null)
            {
                task.State = InFlightState.WaitingForSession;
                return false;
            }

            if (_inSymphony >= maxInSymphony)
            {
                task.State = InFlightState.Ready;
                _ready.Add(task);
                return false;
            }

            _inSymphony++;
            task.State = InFlightState.Sent;

            // Taken under the lock: whatever drops the envelope later (a finish, a rebuild) cannot take it from this send.
            input = task.Input!;
            session = current;
            return true;
        }
    }

    /// <summary>The next task of the ready queue when a session is open and a slot is free (null otherwise).</summary>
    public InFlightTask? TakeReady(Func<bool> sessionOpen)
    {
        ArgumentNullException.ThrowIfNull(sessionOpen);
        lock (_gate)
        {
            if (_ready.Count == 0 || _closed || _inSymphony >= maxInSymphony || !sessionOpen())
            {
                return null;
            }

            var next = _ready[0];
            _ready.RemoveAt(0);
            return next;
        }
    }

    /// <summary>
    /// The task is over: it leaves, its slot is freed. False when it was already done (cancelled, or finished by
    /// another path). <paramref name="othersHeld"/> says whether other tasks are still held (their results may join
    /// this one's batch).
    /// </summary>
    public bool TryFinish(InFlightTask task, out List<InFlightTask>? preparable, out bool othersHeld)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_gate)
        {
            preparable = null;
            othersHeld = false;
            if (task.State == InFlightState.Done || !_tasks.Remove(task.Key))
            {
                return false;
            }

            ReleaseSlotLocked(task);
            task.State = InFlightState.Done;
            SetInputLocked(task, null);
            preparable = TakePreparableLocked();
            othersHeld = _tasks.Count > 0;
            return true;
        }
    }

    /// <summary>
    /// A lost session held these tasks: their slots are freed and they wait for a session again. Returns those still
    /// to run (a task cancelled or finished meanwhile is left out).
    /// </summary>
    public List<InFlightTask> Reclaim(IReadOnlyList<InFlightTask> lost)
    {
        ArgumentNullException.ThrowIfNull(lost);
        List<InFlightTask> reclaimed = new(lost.Count);
        lock (_gate)
        {
            foreach (var task in lost)
            {
                if (task.State == InFlightState.Done)
                {
                    continue;
                }

                ReleaseSlotLocked(task);
                task.State = InFlightState.WaitingForSession;
                reclaimed.Add(task);
            }
        }

        return reclaimed;
    }

    /// <summary>
    /// The service lacks code the task's envelope named by hash: the task frees its slot and is prepared again with
    /// every code byte. False when it is already done.
    /// </summary>
    public bool BeginRebuildWithCode(InFlightTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_gate)
        {
            if (task.State == InFlightState.Done)
            {
                return false;
            }

            ReleaseSlotLocked(task);
            task.State = InFlightState.Preparing;
            task.IncludeAllCode = true;
            SetInputLocked(task, null);
            return true;
        }
    }

    /// <summary>Whether the task is over (cancelled or finished).</summary>
    public bool IsDone(InFlightTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_gate)
        {
            return task.State == InFlightState.Done;
        }
    }

    /// <summary>Takes no more: no preparation starts, no task is sent, none is accepted. False when already closed.</summary>
    public bool Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _closed = true;
            return true;
        }
    }

    /// <summary>
    /// Held tasks whose preparation may start now: none while the envelopes held reach the byte bound. Preparations in
    /// progress are bounded by the count of tasks held, as the native processor's prefetch is by its depth.
    /// </summary>
    private List<InFlightTask>? TakePreparableLocked()
    {
        List<InFlightTask>? start = null;
        while (_accepted.Count > 0 && _envelopeBytes < maxEnvelopeBytesAhead && !_closed)
        {
            var next = _accepted[0];
            _accepted.RemoveAt(0);
            next.State = InFlightState.Preparing;
            (start ??= []).Add(next);
        }

        return start;
    }

    /// <summary>Replaces a held task's envelope, keeping <see cref="_envelopeBytes"/> in step.</summary>
    private void SetInputLocked(InFlightTask task, byte[]? input)
    {
        _envelopeBytes += (input?.Length ?? 0) - (task.Input?.Length ?? 0);
        task.Input = input;
    }

    private void ReleaseSlotLocked(InFlightTask task)
    {
        if (task.State == InFlightState.Sent)
        {
            _inSymphony--;
        }
    }
}
