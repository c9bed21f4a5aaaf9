namespace Scaler.Worker.Processors;

/// <summary>
/// The processor's CPU time at task boundaries, for a task's profile. Reading it sums every thread of the process in the
/// kernel (getrusage), which showed up in the profile of a processor running tiny tasks; since tasks run one after
/// another, a task starts where the previous one ended, so the clock is read once per task instead of twice. CPU
/// spent between two tasks (prefetching, idle housekeeping) is counted to the next one, as process-wide CPU spent
/// by the other threads during a task always was.
/// </summary>
internal sealed class TaskCpuClock
{
    private TimeSpan? _last;

    /// <summary>The reading a task starts from: the last task's end, or the clock now for the first task.</summary>
    public TimeSpan Start() => _last ??= Environment.CpuUsage.TotalTime;

    /// <summary>Reads the clock at a task's end; the next task starts from this reading.</summary>
    public TimeSpan Stop()
    {
        var now = Environment.CpuUsage.TotalTime;
        _last = now;
        return now;
    }
}
