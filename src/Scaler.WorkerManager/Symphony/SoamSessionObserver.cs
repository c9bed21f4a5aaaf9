using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Sorts the failed completions of one SOAM session. A failed completion is parked until the observer learns why:
/// the output that carried it (<see cref="AfterResponse"/>: the task itself failed) or a session-wide exception
/// (<see cref="AfterException"/>: the session is lost and its tasks must be sent again), or the session being closed
/// by us (<see cref="TakeParked"/>). Both callbacks run right after <see cref="SoamTaskSession"/>'s own handlers.
/// </summary>
internal sealed class SoamSessionObserver(Action<InFlightTask, SoamTaskCompletion> taskFailed, Action<IReadOnlyList<InFlightTask>, SoamException> sessionLost)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (InFlightTask Task, SoamTaskCompletion Completion)> _parked = new(StringComparer.Ordinal);
    private bool _lost;

    /// <summary>Called by the completion handler of a failed task, before the observer callbacks run.</summary>
    public void Park(InFlightTask task, SoamTaskCompletion completion)
    {
        lock (_gate)
        {
            _parked[completion.TaskId] = (task, completion);
        }
    }

    public void AfterResponse(TaskOutputHandle output)
    {
        ArgumentNullException.ThrowIfNull(output);
        (InFlightTask Task, SoamTaskCompletion Completion) parked;
        lock (_gate)
        {
            if (!_parked.Remove(output.Id, out parked))
            {
                return;
            }
        }

        taskFailed(parked.Task, parked.Completion);
    }

    public void AfterException(SoamException exception)
    {
        List<InFlightTask> lost;
        lock (_gate)
        {
            _lost = true;
            lost = [.. _parked.Values.Select(p => p.Task)];
            _parked.Clear();
        }

        sessionLost(lost, exception);
    }

    /// <summary>True once the session reported a session-wide exception.</summary>
    public bool IsLost
    {
        get
        {
            lock (_gate)
            {
                return _lost;
            }
        }
    }

    /// <summary>The failed completions no callback explained (the session was closed under them).</summary>
    public IReadOnlyList<InFlightTask> TakeParked()
    {
        lock (_gate)
        {
            var parked = _parked.Values.Select(p => p.Task).ToList();
            _parked.Clear();
            return parked;
        }
    }
}
