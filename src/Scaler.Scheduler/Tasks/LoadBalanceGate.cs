using Scaler.Identity;

namespace Scaler.Scheduler.Tasks;

/// <summary>
/// Decides when balance advice is acted on, as the reference does: advice is computed every balance period
/// (default 1 s) and acted on exactly once, when the same advice has been seen <c>triggerTimes</c> more times in a
/// row (default 2); then not again until the advice changes. Empty advice is never acted on. This damps moves for
/// a load that is only passing, and never re-issues moves whose cancels are still in flight.
/// </summary>
internal sealed class LoadBalanceGate
{
    public const int DefaultTriggerTimes = 2;

    private readonly int _triggerTimes;
    private IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> _last = new Dictionary<WorkerId, IReadOnlyList<TaskId>>();
    private int _sameCount;

    public LoadBalanceGate(int triggerTimes = DefaultTriggerTimes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(triggerTimes);
        _triggerTimes = triggerTimes;
    }

    public bool ShouldAct(IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> advice)
    {
        ArgumentNullException.ThrowIfNull(advice);
        if (SameAdvice(_last, advice))
        {
            _sameCount++;
        }
        else
        {
            _last = advice;
            _sameCount = 0;
        }

        return _sameCount == _triggerTimes && advice.Count > 0;
    }

    private static bool SameAdvice(
        IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> a,
        IReadOnlyDictionary<WorkerId, IReadOnlyList<TaskId>> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (worker, tasks) in a)
        {
            if (!b.TryGetValue(worker, out var other) || !tasks.SequenceEqual(other))
            {
                return false;
            }
        }

        return true;
    }
}
