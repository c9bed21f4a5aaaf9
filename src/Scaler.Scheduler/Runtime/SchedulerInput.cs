using Scaler.IO.Ymq;

namespace Scaler.Scheduler.Runtime;

/// <summary>What the scheduler's single loop consumes, in arrival order.</summary>
internal abstract record SchedulerInput;

/// <summary>Something happened on the scheduler's binder (peer connected, frame, peer gone).</summary>
internal sealed record BinderInput(YmqBinderEvent Event) : SchedulerInput;

/// <summary>A monitor connected to or left the monitor binder (what monitors send is dropped before the loop).</summary>
internal sealed record MonitorInput(YmqBinderEvent Event) : SchedulerInput;

/// <summary>A periodic routine is due.</summary>
internal sealed record TickInput(TickKind Kind) : SchedulerInput;

internal enum TickKind
{
    /// <summary>Every second: client, worker and worker manager timeouts.</summary>
    Cleanup,

    /// <summary>Every <c>--load-balance-seconds</c>.</summary>
    Balance,

    /// <summary>Every <c>--status-report-interval-seconds</c>.</summary>
    Status,
}
