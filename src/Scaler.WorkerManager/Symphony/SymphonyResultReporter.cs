using Microsoft.Extensions.Logging;
using Scaler.IO.Threading;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Stores the results of finished Symphony tasks in object storage, under each task's outcome ID, and reports each
/// to the worker agent once its set is answered (decision 14: a result reported before its store's acknowledgement
/// would be lost if the connection broke after the set left). While other tasks are held, a result waits in a batch
/// (<see cref="CompletionBatcher{T}"/>) so the results of a busy backend are stored in one write and reported
/// together (decision 22). A set that fails hands the result's bytes to the agent, which stores it on its own
/// connection: never a lost result.
/// </summary>
internal sealed partial class SymphonyResultReporter : IDisposable
{
    private readonly Func<ObjectId, ReadOnlyMemory<byte>, CancellationToken, Task> _set;
    private readonly ITaskCompletionSink _sink;
    private readonly ILogger _logger;
    private readonly CompletionBatcher<FinishedTask> _batch;

    /// <param name="set">Stores one object (the backend's own object-storage connection).</param>
    /// <param name="sink">The worker agent, told of each result once it is stored (or handed its bytes).</param>
    /// <param name="window">How long a result waits for others while more tasks are held.</param>
    /// <param name="time">The clock of <paramref name="window"/>.</param>
    /// <param name="logger">The backend's logger, so the line keeps its category.</param>
    public SymphonyResultReporter(
        Func<ObjectId, ReadOnlyMemory<byte>, CancellationToken, Task> set, ITaskCompletionSink sink, TimeSpan window, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _set = set;
        _sink = sink;
        _logger = logger;
        _batch = new CompletionBatcher<FinishedTask>(StoreAndReport, window, time);
    }

    /// <summary>Results waiting for their batch's window to end.</summary>
    public int Waiting => _batch.Waiting;

    /// <summary>
    /// A task is over with this result: stored and reported at once when <paramref name="othersHeld"/> is false (nothing
    /// would join it), else with the batch its window closes.
    /// </summary>
    public void Add(TaskMessage task, TaskResultType type, ReadOnlyMemory<byte> payload, bool othersHeld) =>
        _batch.Add(new FinishedTask(task, type, payload), othersHeld);

    /// <summary>Results waiting for their batch are stored and reported now (or handed to the agent), not dropped.</summary>
    public void Dispose() => _batch.Dispose();

    /// <summary>
    /// Stores a batch of results and reports each once its set is answered. The sets are issued inside one transport
    /// turn, so they leave in one write and object storage answers them in one.
    /// </summary>
    private void StoreAndReport(List<FinishedTask> batch)
    {
        var stores = new Task[batch.Count];
        var opened = TurnContext.Begin();
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                stores[i] = _set(batch[i].ResultObject, batch[i].Payload, CancellationToken.None);
            }
        }
        finally
        {
            TurnContext.End(opened);
        }

        _ = ReportAsync(batch, stores);
    }

    private async Task ReportAsync(List<FinishedTask> batch, Task[] stores)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var finished = batch[i];
            try
            {
                await stores[i].ConfigureAwait(false);
                _sink.TaskCompleted(TaskCompletion.Stored(finished.Task.TaskId, finished.Type, finished.ResultObject));
            }
#pragma warning disable CA1031 // the agent stores the result itself, on its own connection, and reports what happens
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogStoreFailed(_logger, Convert.ToHexString(finished.Task.TaskId), e.Message);
                _sink.TaskCompleted(TaskCompletion.WithPayload(finished.Task.TaskId, finished.Type, finished.Payload));
            }
        }
    }

    /// <summary>A finished task's result, waiting in its batch to be stored and reported.</summary>
    private sealed record FinishedTask(TaskMessage Task, TaskResultType Type, ReadOnlyMemory<byte> Payload)
    {
        public ObjectId ResultObject { get; } =
            ObjectId.ForTaskOutcome(ObjectOwner.FromClientIdentity(Task.Source), Task.TaskId, Type == TaskResultType.Success);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: storing its result failed ({Reason}); the worker agent stores it")]
    private static partial void LogStoreFailed(ILogger logger, string taskId, string reason);
}
