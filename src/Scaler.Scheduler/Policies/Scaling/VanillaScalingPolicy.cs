namespace Scaler.Scheduler.Policies.Scaling;

/// <summary>
/// <c>scaling=vanilla</c>, with ratio = tasks / connected workers (all managers) and current = this manager's
/// workers:
/// <list type="bullet">
/// <item>no worker at all: current + 1 if there is any task, else current;</item>
/// <item>ratio above 10: current + 1 (one worker more per heartbeat);</item>
/// <item>ratio below 1: 0 when there is no task, else max(1, ceil(tasks / 10));</item>
/// <item>otherwise: current.</item>
/// </list>
/// The result is capped by the manager's max task concurrency (unless -1) and floored at 0, and sent as one request
/// with no capabilities.
/// </summary>
internal sealed class VanillaScalingPolicy : IScalingPolicy
{
    public const int LowerTaskRatio = 1;
    public const int UpperTaskRatio = 10;

    public IReadOnlyList<ScalingCommand> GetScalingCommands(ScalingSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var desired = snapshot.Clamp(DesiredWorkerCount(snapshot));
        return [new ScalingCommand([new DesiredTaskConcurrency(Capabilities.None, desired)])];
    }

    private static int DesiredWorkerCount(ScalingSnapshot snapshot)
    {
        var current = snapshot.ManagedWorkerCount;
        var tasks = snapshot.TaskCount;
        var workers = snapshot.WorkerCount;
        if (workers == 0)
        {
            return tasks > 0 ? current + 1 : current;
        }

        // Compare tasks/workers with the ratios in integers: tasks > 10 * workers, tasks < 1 * workers.
        if (tasks > (long)UpperTaskRatio * workers)
        {
            return current + 1;
        }

        if (tasks < (long)LowerTaskRatio * workers)
        {
            return tasks == 0 ? 0 : Math.Max(1, CeilDiv(tasks, UpperTaskRatio));
        }

        return current;
    }

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;
}
