using Scaler.Identity;

namespace Scaler.Worker.Processors;

/// <summary>
/// The tasks a processor has received but not started, so that a cancel from the worker can drop one before it runs.
/// The decision "dropped" or "already started" is taken under one lock by both sides, so the worker's answer is exact.
/// </summary>
internal sealed class WaitingTasks
{
    private readonly Lock _gate = new();
    private readonly HashSet<TaskId> _waiting = [];
    private readonly HashSet<TaskId> _dropped = [];

    public void Add(TaskId taskKey)
    {
        lock (_gate)
        {
            _waiting.Add(taskKey);
        }
    }

    /// <summary>Marks the task started; false when it was dropped (it must not run).</summary>
    public bool TryStart(TaskId taskKey)
    {
        lock (_gate)
        {
            _waiting.Remove(taskKey);
            return !_dropped.Remove(taskKey);
        }
    }

    /// <summary>Drops a task that has not started; false when it is not waiting (running, finished, or never received).</summary>
    public bool TryDrop(TaskId taskKey)
    {
        lock (_gate)
        {
            if (!_waiting.Remove(taskKey))
            {
                return false;
            }

            _dropped.Add(taskKey);
            return true;
        }
    }
}
