using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;
using Scaler.Worker.Execution;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Runs a worker's tasks as SOAM tasks: for each task it fetches the serializer, function, argument and code objects
/// from object storage, sends one <see cref="SymphonyTaskEnvelope"/> through a <see cref="SoamTaskSession"/>, and
/// stores the <see cref="SymphonyTaskResult"/> (or a Symphony-level failure as a <see cref="RemoteError"/>) in object
/// storage under the task's outcome ID, and reports it to the worker agent, which sends TaskResult.
/// </summary>
/// <remarks>
/// At most <see cref="SymphonyBackendOptions.MaxTaskConcurrency"/> tasks are in Symphony at once. Up to
/// <see cref="SymphonyBackendOptions.TasksAhead"/> more are held here and prepared (objects fetched, envelope built)
/// while that bound is full, so a freed slot never waits on object storage; no preparation starts while the envelopes
/// held reach <see cref="SymphonyBackendOptions.MaxEnvelopeBytesAhead"/> bytes, so large arguments never pile up.
/// The agent keeps the rest queued, and none is accepted before the session is open: tasks that arrive early wait in
/// the agent's queue.
/// When the session is lost (a session-wide SOAM exception, or a refused send), the tasks it held are sent again in a
/// newly opened session, each at most <see cref="SymphonyBackendOptions.MaxSessionLossesPerTask"/> times. SOAM has no
/// client-side task cancel, so only a task not yet sent can be cancelled (<see cref="CancelsRunningTasks"/> is false).
/// This type coordinates the parts that do the work: <see cref="HeldTasks"/> (where each task is, the bounds),
/// <see cref="SymphonyEnvelopeBuilder"/> (inputs and their caches), <see cref="SoamSessionKeeper"/> (the session, its
/// losses and reopens), <see cref="SymphonyOutputReader"/> (what an answer means) and
/// <see cref="SymphonyResultReporter"/> (storing and reporting results).
/// </remarks>
public sealed partial class SymphonyExecutionBackend : ITaskExecutionBackend, ISoamSessionHost
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly SymphonyBackendOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly HeldTasks _held;
    private readonly SoamSessionKeeper _sessions;
    private readonly SymphonyOutputReader _outputs;

    /// <summary>Made once, so a send allocates no delegate.</summary>
    private readonly Func<InFlightTask, ObservedSoamSession?> _sessionOrPark;

    private readonly Func<bool> _sessionOpen;

    private ITaskCompletionSink? _sink;
    private ObjectStorageClient? _storage;
    private SymphonyEnvelopeBuilder? _envelopes;
    private SymphonyResultReporter? _results;

    public SymphonyExecutionBackend(ISoamApi api, SymphonyBackendOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTaskConcurrency, 1);
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SymphonyExecutionBackend>();

        // Tasks held: the Symphony bound and TasksAhead more, whose objects are fetched while the bound is full.
        _held = new HeldTasks(options.MaxTaskConcurrency, options.MaxTaskConcurrency + options.TasksAhead, options.MaxEnvelopeBytesAhead);
        _sessions = new SoamSessionKeeper(api, options, this, options.TimeProvider, loggerFactory, _logger);
        _outputs = new SymphonyOutputReader(options.CodeLedger, options.ApplicationName, _logger);
        _sessionOrPark = _sessions.CurrentOrPark;
        _sessionOpen = () => _sessions.IsOpen;
    }

    public int Concurrency => _options.MaxTaskConcurrency;

    public bool CanAccept => _sessions.IsOpen && _held.HasRoom;

    /// <summary>False: a task already in Symphony cannot be stopped; a cancel of it is confirmed CancelFailed.</summary>
    public bool CancelsRunningTasks => false;

    /// <summary>The id of the open SOAM session, or null while none is open.</summary>
    public string? SessionId => _sessions.SessionId;

    /// <summary>How many sessions were opened (1 + the reopens after losses).</summary>
    public int SessionsOpened => _sessions.SessionsOpened;

    /// <summary>How many code-missing answers the service gave (each one made its task be sent again with the bytes).</summary>
    public int CodeMissingAnswers => _outputs.CodeMissingAnswers;

    /// <summary>Tasks held here (preparing, waiting for a session, or in Symphony).</summary>
    public int TasksHeld => _held.Count;

    /// <summary>Bytes of the envelopes held (prepared, waiting for a slot, or in Symphony).</summary>
    internal long EnvelopeBytesHeld => _held.EnvelopeBytes;

    /// <summary>Tasks held whose preparation has not started (held back by the byte bound).</summary>
    internal int TasksAwaitingPreparation => _held.AwaitingPreparation;

    public async ValueTask StartAsync(ScalerAddress objectStorageAddress, ITaskCompletionSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectStorageAddress);
        ArgumentNullException.ThrowIfNull(sink);
        _sink = sink;
        _storage = await ObjectStorageClient.ConnectAsync(
            objectStorageAddress,
            _options.Tls.ForConnectorToServer(new YmqOptions { Identity = _options.WorkerIdentity + "|soam" }),
            _loggerFactory,
            cancellationToken).ConfigureAwait(false);

        // Made once storage is connected: objects are only ever fetched and results stored through it.
        _results = new SymphonyResultReporter(_storage.SetAsync, sink, _options.CompletionBatchWindow, _options.TimeProvider, _logger);
        _envelopes = new SymphonyEnvelopeBuilder(_storage.GetAsync, _options.CodeLedger);
        _sessions.Start();
    }

    public ValueTask SubmitAsync(TaskMessage task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);

        // Started here rather than on the thread pool: each runs until its first fetch is pending (a thread hop less
        // per task), and never throws (failures complete the task).
        StartPreparing(_held.Accept(new InFlightTask(task, new TaskId(task.TaskId))));
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> CancelAsync(ReadOnlyMemory<byte> taskId, CancellationToken cancellationToken)
    {
        var key = new TaskId(taskId.Span);
        if (!_held.TryCancel(key, out var cancelled, out var start))
        {
            return ValueTask.FromResult(false);
        }

        _sessions.Forget(cancelled);
        StartPreparing(start);
        LogCancelledBeforeSend(_logger, Convert.ToHexString(key.Span));
        _sink?.CapacityAvailable();
        return ValueTask.FromResult(true);
    }

    public IReadOnlyList<ProcessorStatus> GetProcessorStatuses() => [];

    public async ValueTask DisposeAsync()
    {
        if (!_held.Close())
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sessions.DisposeAsync().ConfigureAwait(false);

        // Results waiting for their batch are stored and reported now (or handed to the agent to store), not dropped.
        _results?.Dispose();
        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private void StartPreparing(List<InFlightTask>? tasks)
    {
        if (tasks is null)
        {
            return;
        }

        foreach (var task in tasks)
        {
            _ = PrepareAndSendAsync(task);
        }
    }

    /// <remarks>
    /// Started by the agent's loop under the turn context, a preparation resumes in the object storage client's turn
    /// that read its objects, so a burst of answers is turned into envelopes and sent on that thread without a hop
    /// (its awaits keep the context: the runtime does not inline a ConfigureAwait(false) continuation under one).
    /// </remarks>
    [TurnChain]
    private async Task PrepareAndSendAsync(InFlightTask task)
    {
        byte[] input;
        try
        {
            var envelopes = _envelopes ?? throw new InvalidOperationException("the backend is not started");
            input = await envelopes.BuildAsync(task, _stopping.Token).ConfigureAwait(TurnContext.IsCurrent);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // whatever stops a task's inputs from being read fails that task, not the worker
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogPrepareFailed(_logger, Convert.ToHexString(task.Key.Span), e.Message);
            StartPreparing(_held.PreparationEnded(task, input: null));
            Complete(task, TaskResultType.Failed, SymphonyOutputReader.ErrorPayload(task, RemoteError.FromException(e)));
            return;
        }

        StartPreparing(_held.PreparationEnded(task, input));
        Send(task);
    }

    /// <summary>Sends a prepared task when a session is open and a Symphony slot is free; otherwise it waits for either.</summary>
    private void Send(InFlightTask task)
    {
        if (!_held.TryTakeSlot(task, _sessionOrPark, out var session, out var input))
        {
            return;
        }

        if (session.SubmitMayBlock && TurnContext.InTurn)
        {
            // Inside a transport turn, on the thread that serves the process's sockets (the agent's loop submitted a
            // task whose envelope could be built at once, its objects all cached; or a preparation resumed in a turn):
            // a call that may block on the network is made from the pool, where the agent's loop made it before turns
            // (decision 24). The local engine's (a pipe write to an idle instance) is made here: a hop to the pool for
            // each task was a large share of the Symphony path's cost per tiny task (the figures: docs/performance.md).
            ThreadPool.UnsafeQueueUserWorkItem(
                static state => state.Backend.SubmitFromPool(state.Session, state.Task, state.Input),
                (Backend: this, Session: session, Task: task, Input: input),
                preferLocal: false);
            return;
        }

        _sessions.Submit(session, task, input);
    }

    private void SubmitFromPool(ObservedSoamSession session, InFlightTask task, byte[] input)
    {
        if (_held.IsDone(task))
        {
            // Cancelled or failed while queued (its slot was released then): nothing to run.
            return;
        }

        _sessions.Submit(session, task, input);
    }

    /// <summary>Sends ready tasks while a session is open and a Symphony slot is free.</summary>
    private void PumpReady()
    {
        while (_held.TakeReady(_sessionOpen) is { } next)
        {
            Send(next);
        }
    }

    /// <summary>
    /// The task is over: its Symphony slot is freed and the next tasks are sent at once; then its result waits in the
    /// batch of finished tasks, to be stored and reported with the others.
    /// </summary>
    private void Complete(InFlightTask task, TaskResultType type, ReadOnlyMemory<byte> payload)
    {
        if (!_held.TryFinish(task, out var start, out var othersHeld))
        {
            return;
        }

        StartPreparing(start);
        PumpReady();
        _sink?.CapacityAvailable();
        _results?.Add(task.Task, type, payload, othersHeld);
    }

    /// <summary>
    /// Builds the task again with the bytes of every code assembly it needs and sends it again (once). It stays held
    /// (not returned to the agent's queue) and frees its Symphony slot while it is rebuilt.
    /// </summary>
    private void ResendWithCode(InFlightTask task, string soamTaskId, string why)
    {
        if (!_held.BeginRebuildWithCode(task))
        {
            return;
        }

        LogResendWithCode(_logger, Convert.ToHexString(task.Key.Span), soamTaskId, why);
        _ = Task.Run(() => PrepareAndSendAsync(task), CancellationToken.None);
        PumpReady();
    }

    IReadOnlyList<InFlightTask> ISoamSessionHost.Reclaim(IReadOnlyList<InFlightTask> lost) => _held.Reclaim(lost);

    void ISoamSessionHost.Resend(InFlightTask task) => Send(task);

    void ISoamSessionHost.SlotsFreed() => PumpReady();

    void ISoamSessionHost.SessionOpened()
    {
        PumpReady();
        _sink?.CapacityAvailable();
    }

    void ISoamSessionHost.Completed(InFlightTask task, SoamTaskCompletion completion)
    {
        var outcome = _outputs.Read(task, completion);
        if (outcome.ResendWithCodeBecause is { } why)
        {
            ResendWithCode(task, completion.TaskId, why);
            return;
        }

        Complete(task, outcome.Type, outcome.Payload);
    }

    void ISoamSessionHost.FailedInSymphony(InFlightTask task, SoamTaskCompletion completion, string sessionId) =>
        Complete(task, TaskResultType.Failed, _outputs.FailedInSymphony(task, completion, sessionId));

    void ISoamSessionHost.GiveUp(InFlightTask task, RemoteError error) =>
        Complete(task, TaskResultType.Failed, SymphonyOutputReader.ErrorPayload(task, error));

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId} could not be prepared for Symphony: {Reason}")]
    private static partial void LogPrepareFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} (SOAM task {SoamTaskId}): {Why}; sending it again with the code bytes")]
    private static partial void LogResendWithCode(ILogger logger, string taskId, string soamTaskId, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} cancelled before it was sent to Symphony")]
    private static partial void LogCancelledBeforeSend(ILogger logger, string taskId);
}
