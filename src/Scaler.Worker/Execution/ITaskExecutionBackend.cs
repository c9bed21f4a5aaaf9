using Scaler.IO.Addressing;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Execution;

/// <summary>
/// Where a worker runs its tasks. The worker agent owns everything the scheduler sees (heartbeats, the task queue,
/// results, cancels, object instructions); a backend only runs the tasks it is given and reports how they ended.
/// </summary>
/// <remarks>
/// Threading: the agent calls every member from its own single loop, never concurrently. The backend reports back
/// through the <see cref="ITaskCompletionSink"/> given to <see cref="StartAsync"/>, from any thread.
/// A backend must not report a completion for a task after <see cref="CancelAsync"/> returned true for it; if one
/// slips through anyway, the agent drops it.
/// </remarks>
public interface ITaskExecutionBackend : IAsyncDisposable
{
    /// <summary>How many tasks may run at once (the native backend: 1, as the reference's worker).</summary>
    int Concurrency { get; }

    /// <summary>True when <see cref="SubmitAsync"/> may be called now (a slot is free and initialized).</summary>
    bool CanAccept { get; }

    /// <summary>
    /// Called once, when the agent knows the object storage address (given, or from the first heartbeat echo).
    /// The backend calls <see cref="ITaskCompletionSink.CapacityAvailable"/> when it becomes able to accept tasks.
    /// </summary>
    ValueTask StartAsync(ScalerAddress objectStorageAddress, ITaskCompletionSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// Hands <paramref name="task"/> to the backend, which runs it now or, past <see cref="Concurrency"/>, once the
    /// tasks before it are done (then it reports <see cref="ITaskCompletionSink.TaskStarted"/>). Only called while
    /// <see cref="CanAccept"/> is true.
    /// </summary>
    ValueTask SubmitAsync(TaskMessage task, CancellationToken cancellationToken);

    /// <summary>
    /// Stops a submitted task at once (the native backend drops it when it has not started, and otherwise kills its
    /// processor and starts a new one). Returns false when the task is not here. After true, no completion is reported
    /// for it.
    /// </summary>
    ValueTask<bool> CancelAsync(ReadOnlyMemory<byte> taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Drops a submitted task that has not started yet (it waits behind another in its execution unit) and returns true;
    /// returns false, and changes nothing, for a task that runs or is not here. The default: false.
    /// </summary>
    ValueTask<bool> CancelIfNotStartedAsync(ReadOnlyMemory<byte> taskId, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>
    /// True (the default) when <see cref="CancelAsync"/> can stop any task it runs, so a forced cancel of a running
    /// task is confirmed <c>Canceled</c>. A backend that hands tasks to a system without a task cancel (Symphony) returns
    /// false: a forced cancel is then confirmed <c>Canceled</c> only when <see cref="CancelAsync"/> returns true, and
    /// <c>CancelFailed</c> otherwise (the task keeps running and its result is still reported).
    /// </summary>
    bool CancelsRunningTasks => true;

    /// <summary>The execution units for the heartbeat (the native backend: its processor processes).</summary>
    IReadOnlyList<ProcessorStatus> GetProcessorStatuses();
}
