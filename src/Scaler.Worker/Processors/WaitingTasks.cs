namespace Scaler.Worker.Processors;

/// <summary>
/// The tasks a processor has received but not started, so that a cancel from the worker can drop one before it runs.
/// The decision "dropped" or "already started" is taken under one lock by both sides, so the worker's answer is exact.
/// </summary>
internal sealed class WaitingTasks
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dropped = new(StringComparer.Ordinal);

    public void Add(string taskKey)
    {
        lock (_gate)
        {
            _waiting.Add(taskKey);
        }
    }

    /// <summary>Marks the task started; false when it was dropped (it must not run).</summary>
    public bool TryStart(string taskKey)
    {
        lock (_gate)
        {
            _waiting.Remove(taskKey);
            return !_dropped.Remove(taskKey);
        }
    }

    /// <summary>Drops a task that has not started; false when it is not waiting (running, finished, or never received).</summary>
    public bool TryDrop(string taskKey)
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
