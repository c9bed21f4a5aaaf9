using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.Worker.Agent;

/// <summary>
/// The scheduler-facing half of a worker: connects to the scheduler, heartbeats, queues tasks, hands them to an
/// <see cref="ITaskExecutionBackend"/>, reports results, answers cancels and forwards result objects. All state lives
/// on one loop fed by an inbox, so no locks are needed here.
/// <para>
/// A lost scheduler (killed, restarted, a broken connection) does not end the worker: it drops the tasks it held (the
/// scheduler gave them to other workers, or a new scheduler never knew them), and tries again at once, then every
/// <see cref="ReconnectBackoff"/>, with a new connection on which a fresh heartbeat registers it; it gives up, with exit
/// code 1, when the scheduler has not answered for <see cref="WorkerAgentOptions.DeathTimeout"/>. A task whose
/// processor died is run again, at most <see cref="WorkerAgentOptions.RetriesAfterProcessorDeath"/> times.
/// </para>
/// </summary>
public sealed partial class WorkerAgent : IAsyncDisposable
{
    /// <summary>How long a message may wait for room in the scheduler connection's send queue before the scheduler counts as gone.</summary>
    private static readonly TimeSpan SchedulerSendTimeout = TimeSpan.FromSeconds(10);

    private readonly WorkerAgentOptions _options;
    private readonly ITaskExecutionBackend _backend;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<AgentEvent> _inbox = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskQueue _queue = new();
    private readonly Dictionary<TaskId, RunningTask> _running = [];
    private readonly ProcessResourceMeter _agentMeter;
    private readonly Process _self = Process.GetCurrentProcess();
    private readonly byte[] _identityBytes;
    private readonly byte[] _workerManagerId;
    private readonly TaskCapability[] _capabilities;
    private readonly CompletionSink _sink;
    private readonly ClientLanguages _languages;

    private readonly Dictionary<TaskId, int> _processorDeaths = [];

    private SchedulerLink? _link;
    private int _linkNumber;
    private int _failedReconnects;
    private long _lostAt = -1;
    private ITimer? _reconnectTimer;
    private ObjectStorageClient? _storage;
    private bool _storageConnecting;
    private bool _backendStarted;
    private bool _connectedOnce;
    private long _heartbeatSentAt;
    private bool _awaitingEcho;
    private long _lastSeen;
    private uint _latencyUs;
    private long _disconnectDeadline = -1;
    private int? _exitCode;
    private int _disposed;

    public WorkerAgent(WorkerAgentOptions options, ITaskExecutionBackend backend, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _backend = backend;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<WorkerAgent>();
        _time = options.TimeProvider;
        _agentMeter = new ProcessResourceMeter(_time);
        _identityBytes = Encoding.UTF8.GetBytes(options.Identity);
        _workerManagerId = Encoding.UTF8.GetBytes(options.WorkerManagerId);
        _capabilities = options.Capabilities.Select(c => new TaskCapability { Name = c.Key, Value = c.Value }).ToArray();
        _sink = new CompletionSink(_inbox.Writer);
        _languages = new ClientLanguages(_time);
    }

    /// <summary>The YMQ identity this worker announces.</summary>
    public string Identity => _options.Identity;

    /// <summary>
    /// Runs until the worker stops: <paramref name="shutdown"/> (sends DisconnectRequest first), a client shutdown, a
    /// scheduler never reached, or the death timeout (a lost scheduler is reconnected to until then). Returns a
    /// <see cref="WorkerExitCodes"/> value.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        _lastSeen = _time.GetTimestamp();
        LogStarting(_logger, _options.Identity, _options.SchedulerAddress.ToString());
        OpenLink();
        using var registration = shutdown.Register(() => _inbox.Writer.TryWrite(new AgentEvent.ShutdownRequested()));
        using var timer = _time.CreateTimer(_ => _inbox.Writer.TryWrite(new AgentEvent.Tick()), null, TickPeriod(), TickPeriod());

        if (_options.ObjectStorageAddress is { } storageAddress)
        {
            ConnectStorage(storageAddress);
        }

        try
        {
            await SendHeartbeatAsync().ConfigureAwait(false);

            // The shutdown below leaves the turn on purpose (it waits for processes and sockets to close).
            return await HandleEventsAsync().ConfigureAwait(false);
        }
        finally
        {
            _reconnectTimer?.Dispose();
            await _backend.DisposeAsync().ConfigureAwait(false);
            await CloseLinkAsync().ConfigureAwait(false);
            LogQuit(_logger, _options.Identity, _exitCode ?? WorkerExitCodes.Clean);
        }
    }

    /// <summary>The agent's loop: handles the inbox's events on the turn that queued them, until one sets an exit code.</summary>
    [TurnChain]
    private async Task<int> HandleEventsAsync()
    {
        await TurnContext.SwitchTo();
        var events = _inbox.Reader;
        while (await events.WaitToReadAsync(CancellationToken.None).ConfigureAwait(true))
        {
            while (events.TryRead(out var e))
            {
                await HandleAsync(e).ConfigureAwait(true);
                if (_exitCode is { } code)
                {
                    return code;
                }
            }
        }

        return WorkerExitCodes.Clean;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _backend.DisposeAsync().ConfigureAwait(false);
        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }

        _reconnectTimer?.Dispose();
        await CloseLinkAsync().ConfigureAwait(false);
        _self.Dispose();
    }

    private TimeSpan TickPeriod()
    {
        var period = TimeSpan.FromSeconds(1);
        if (_options.HeartbeatInterval < period)
        {
            period = _options.HeartbeatInterval;
        }

        if (_options.TaskTimeout > TimeSpan.Zero && _options.TaskTimeout / 4 < period)
        {
            period = _options.TaskTimeout / 4;
        }

        return period < TimeSpan.FromMilliseconds(20) ? TimeSpan.FromMilliseconds(20) : period;
    }

    /// <summary>
    /// The connection settings of link <paramref name="number"/>. The first link tries as the reference does (8 retries
    /// from 200 ms, then "never connected"); a link opened after a loss makes one attempt, and the agent paces the
    /// next ones itself (<see cref="ReconnectBackoff"/>) so that each failure is seen, and logged, here.
    /// </summary>
    private YmqOptions LinkOptions(int number) => _options.Tls.ForConnectorToServer(number == 1
        ? new YmqOptions { Identity = _options.Identity, TimeProvider = _time }
        : new YmqOptions { Identity = _options.Identity, TimeProvider = _time, ConnectMaxRetries = 0 });

    private void OpenLink()
    {
        _linkNumber++;
        _link = SchedulerLink.Open(_linkNumber, _options.SchedulerAddress, LinkOptions(_linkNumber), _loggerFactory, _inbox.Writer, _logger);
    }

    private async ValueTask CloseLinkAsync()
    {
        if (_link is { } link)
        {
            _link = null;
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void ConnectStorage(ScalerAddress address)
    {
        if (_storageConnecting)
        {
            return;
        }

        _storageConnecting = true;
        LogConnectingStorage(_logger, address.ToString());
        _ = Task.Run(async () =>
        {
            try
            {
                var client = await ObjectStorageClient.ConnectAsync(
                    address, _options.Tls.ForConnectorToServer(new YmqOptions { Identity = _options.Identity }), _loggerFactory, CancellationToken.None).ConfigureAwait(false);
                _inbox.Writer.TryWrite(new AgentEvent.StorageConnected(client));
            }
#pragma warning disable CA1031 // any failure to reach the storage ends the worker with a logged reason
            catch (Exception e)
#pragma warning restore CA1031
            {
                _inbox.Writer.TryWrite(new AgentEvent.StorageFailed(e));
            }
        });
    }

    private async ValueTask HandleAsync(AgentEvent e)
    {
        switch (e)
        {
            case AgentEvent.SchedulerMessage m when m.Link == _link?.Number:
                m.From.Consumed();
                await OnSchedulerMessageAsync(m.Message).ConfigureAwait(false);
                break;
            case AgentEvent.SchedulerMessage stale:
                // From a link already replaced: its scheduler no longer counts this worker.
                stale.From.Consumed();
                break;
            case AgentEvent.Completed c:
                await OnCompletedAsync(c.Completion).ConfigureAwait(false);
                break;
            case AgentEvent.CapacityAvailable:
                await DispatchAsync().ConfigureAwait(false);
                break;
            case AgentEvent.Started started:
                var startedKey = new TaskId(started.TaskId);
                if (_running.TryGetValue(startedKey, out var running))
                {
                    _running[startedKey] = running with { StartedAt = _time.GetTimestamp() };
                }

                break;
            case AgentEvent.Returned returned:
                // It never started: back to the head of the queue, to run next wherever a slot frees up.
                var returnedKey = new TaskId(returned.Task.TaskId);
                if (_running.Remove(returnedKey))
                {
                    _queue.EnqueueFront(returnedKey, returned.Task);
                    LogTaskReturned(_logger, returnedKey.ToHexString());
                }

                await DispatchAsync().ConfigureAwait(false);
                break;
            case AgentEvent.Tick:
                await OnTickAsync().ConfigureAwait(false);
                break;
            case AgentEvent.StorageConnected s:
                _storage = s.Client;
                await _backend.StartAsync(s.Client.RemoteAddress, _sink, CancellationToken.None).ConfigureAwait(false);
                _backendStarted = true;
                await DispatchAsync().ConfigureAwait(false);
                break;
            case AgentEvent.StorageFailed f:
                LogStorageFailed(_logger, f.Error.Message);
                _exitCode = WorkerExitCodes.Failed;
                break;
            case AgentEvent.SchedulerGone g when g.Link == _link?.Number:
                await OnSchedulerGoneAsync(g.Error).ConfigureAwait(false);
                break;
            case AgentEvent.SchedulerGone:
                break;
            case AgentEvent.ReconnectDue:
                if (_link is null && _exitCode is null)
                {
                    OpenLink();
                    await SendHeartbeatAsync().ConfigureAwait(false);
                }

                break;
            case AgentEvent.ShutdownRequested:
                await BeginDisconnectAsync().ConfigureAwait(false);
                break;
        }
    }

    private async ValueTask OnSchedulerGoneAsync(Exception error)
    {
        var link = _link!;
        await CloseLinkAsync().ConfigureAwait(false);
        if (_disconnectDeadline >= 0)
        {
            LogSchedulerClosed(_logger, error.Message);
            _exitCode = WorkerExitCodes.Clean;
            return;
        }

        if (!_connectedOnce)
        {
            LogSchedulerNeverReached(_logger, error.Message);
            _exitCode = WorkerExitCodes.Failed;
            return;
        }

        if (link.Echoed)
        {
            // The scheduler that had this worker is gone, or has dropped it (a broken connection counts as a dead
            // worker there): either way the tasks held here now belong to no one or to another worker.
            _lostAt = _time.GetTimestamp();
            _failedReconnects = 0;
            var dropped = await DropAllTasksAsync().ConfigureAwait(false);
            LogSchedulerLost(_logger, _options.SchedulerAddress.ToString(), error.Message, dropped, _options.DeathTimeout.TotalSeconds);
            OpenLink();
            await SendHeartbeatAsync().ConfigureAwait(false);
            return;
        }

        _failedReconnects++;
        var delay = ReconnectBackoff.After(_failedReconnects);
        LogReconnectFailed(
            _logger, _options.SchedulerAddress.ToString(), _failedReconnects, error.Message, delay.TotalSeconds, _time.GetElapsedTime(_lastSeen).TotalSeconds);
        _reconnectTimer?.Dispose();
        _reconnectTimer = _time.CreateTimer(_ => _inbox.Writer.TryWrite(new AgentEvent.ReconnectDue()), null, delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Forgets every queued task and stops every running one (a backend that cannot stop its running tasks reports
    /// them later, and those results are dropped as stale). Returns how many tasks were dropped.
    /// </summary>
    private async ValueTask<int> DropAllTasksAsync()
    {
        var dropped = _queue.Count + _running.Count;
        _queue.Clear();
        _processorDeaths.Clear();

        // Running tasks first: killing their processor gives back the tasks waiting in it, which are then no longer
        // in the backend to be canceled one by one.
        var running = _running.Values.OrderBy(r => r.StartedAt is null).Select(r => r.Task.TaskId).ToList();
        _running.Clear();
        foreach (var taskId in running)
        {
            await _backend.CancelAsync(taskId, CancellationToken.None).ConfigureAwait(false);
        }

        return dropped;
    }

    private async ValueTask OnSchedulerMessageAsync(IMessage message)
    {
        switch (message)
        {
            case WorkerHeartbeatEcho echo:
                OnHeartbeatEcho(echo);
                break;
            case TaskMessage task:
                OnTask(task);
                await DispatchAsync().ConfigureAwait(false);
                break;
            case TaskCancel cancel:
                await OnCancelAsync(cancel).ConfigureAwait(false);
                break;
            case ObjectInstruction:
                // Processors keep only objects that never change behind their ID (serializer, function, code) and the
                // arguments of the tasks they hold, so deletions need no forwarding.
                break;
            case ClientDisconnect { DisconnectType: DisconnectType.Shutdown }:
                LogClientShutdown(_logger);
                _exitCode = WorkerExitCodes.Clean;
                break;
            case DisconnectResponse:
                _exitCode = WorkerExitCodes.Clean;
                break;
            default:
                LogUnexpectedMessage(_logger, message.Kind.ToString());
                break;
        }
    }

    private void OnHeartbeatEcho(WorkerHeartbeatEcho echo)
    {
        if (!_awaitingEcho)
        {
            return;
        }

        var now = _time.GetTimestamp();
        _latencyUs = (uint)Math.Min(uint.MaxValue, _time.GetElapsedTime(_heartbeatSentAt, now).TotalMicroseconds / 2);
        _awaitingEcho = false;
        _lastSeen = now;
        _connectedOnce = true;
        if (_link is { Echoed: false } link)
        {
            link.Echoed = true;
            if (_lostAt >= 0)
            {
                LogReconnected(_logger, _options.SchedulerAddress.ToString(), _time.GetElapsedTime(_lostAt, now).TotalSeconds);
                _lostAt = -1;
            }
        }

        if (_storage is null && !_storageConnecting)
        {
            var address = echo.ObjectStorageAddress;
            var scheme = string.Equals(address.Scheme, "tls", StringComparison.OrdinalIgnoreCase) ? ScalerScheme.Tls : ScalerScheme.Tcp;
            ConnectStorage(ScalerAddress.Create(scheme, address.Host, address.Port));
        }
    }

    private void OnTask(TaskMessage task)
    {
        var key = new TaskId(task.TaskId);
        if (_running.ContainsKey(key) || _queue.Contains(key))
        {
            LogDuplicateTask(_logger, key.ToHexString());
            return;
        }

        _queue.Enqueue(key, task);
    }

    private async ValueTask DispatchAsync()
    {
        while (_backendStarted && _exitCode is null && _backend.CanAccept && _queue.TryDequeue(out var key, out var task))
        {
            // Beyond the backend's concurrency a task waits behind another; its timeout starts when the backend says
            // it started.
            _running[key] = new RunningTask(task, _running.Count < _backend.Concurrency ? _time.GetTimestamp() : null);
            if (_storage is not null)
            {
                // Should the worker fail this task itself, its error is written in the format its client reads.
                _languages.Observe(task, _storage);
            }

            await _backend.SubmitAsync(task, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async ValueTask OnCancelAsync(TaskCancel cancel)
    {
        var key = new TaskId(cancel.TaskId);
        TaskCancelConfirmType answer;
        if (_running.ContainsKey(key))
        {
            if (!_backend.CancelsRunningTasks)
            {
                // The backend may be unable to stop the task (it already left for another system): keep waiting for
                // its result unless the backend confirms it stopped it, forced or not.
                if (await _backend.CancelAsync(cancel.TaskId, CancellationToken.None).ConfigureAwait(false))
                {
                    _running.Remove(key);
                    answer = TaskCancelConfirmType.Canceled;
                }
                else
                {
                    answer = TaskCancelConfirmType.CancelFailed;
                }
            }
            else if (!cancel.Flags.Force)
            {
                // Only a task that has not started can go without force (one sent ahead to the backend may not have).
                if (await _backend.CancelIfNotStartedAsync(cancel.TaskId, CancellationToken.None).ConfigureAwait(false))
                {
                    _running.Remove(key);
                    answer = TaskCancelConfirmType.Canceled;
                }
                else
                {
                    answer = TaskCancelConfirmType.CancelFailed;
                }
            }
            else
            {
                _running.Remove(key);
                await _backend.CancelAsync(cancel.TaskId, CancellationToken.None).ConfigureAwait(false);
                answer = TaskCancelConfirmType.Canceled;
            }
        }
        else if (_queue.Remove(key))
        {
            answer = TaskCancelConfirmType.Canceled;
        }
        else
        {
            answer = TaskCancelConfirmType.CancelNotFound;
        }

        if (answer == TaskCancelConfirmType.Canceled)
        {
            _processorDeaths.Remove(key);
        }

        LogCancel(_logger, key.ToHexString(), answer.ToString());
        await SendAsync(new TaskCancelConfirm { TaskId = cancel.TaskId, CancelConfirmType = answer }).ConfigureAwait(false);
        await DispatchAsync().ConfigureAwait(false);
    }

    private async ValueTask OnCompletedAsync(TaskCompletion completion)
    {
        var key = new TaskId(completion.TaskId);
        if (!_running.Remove(key, out var running))
        {
            LogStaleCompletion(_logger, key.ToHexString());
            return;
        }

        var failure = completion.WorkerFailure;
        if (failure is { Kind: WorkerFailureKind.ProcessorDied })
        {
            var deaths = _processorDeaths.GetValueOrDefault(key) + 1;
            if (deaths <= _options.RetriesAfterProcessorDeath)
            {
                // Not necessarily the task's doing (a kill, the OOM killer, a crash of the host): run it again, first.
                _processorDeaths[key] = deaths;
                _queue.EnqueueFront(key, running.Task);
                LogRetryAfterProcessorDeath(_logger, key.ToHexString(), failure.Message, deaths, _options.RetriesAfterProcessorDeath);
                await DispatchAsync().ConfigureAwait(false);
                return;
            }

            failure = failure with
            {
                Message = deaths == 1
                    ? $"{failure.Message}; the task ran once (no retries are allowed)"
                    : $"{failure.Message}; the task ran {deaths} times and its processor died every time",
            };
        }

        _processorDeaths.Remove(key);
        var metadata = completion.Metadata.Length > 0 ? completion.Metadata : ElapsedProfile(running).ToBytes();
        if (completion.StoredResult is { } stored)
        {
            await ReportAsync(running.Task, completion.ResultType, stored, metadata).ConfigureAwait(false);
        }
        else if (failure is not null)
        {
            var payload = failure.ToPayload(await _languages.OfAsync(running.Task, _storage).ConfigureAwait(false));
            await StoreAndReportAsync(running.Task, TaskResultType.Failed, payload, metadata).ConfigureAwait(false);
        }
        else
        {
            await StoreAndReportAsync(running.Task, completion.ResultType, completion.Payload, metadata).ConfigureAwait(false);
        }

        await DispatchAsync().ConfigureAwait(false);
    }

    private ProfileResult ElapsedProfile(RunningTask running) =>
        new(running.StartedAt is { } started ? (float)_time.GetElapsedTime(started).TotalSeconds : 0, 0, 0);

    private async ValueTask StoreAndReportAsync(TaskMessage task, TaskResultType type, ReadOnlyMemory<byte> payload, byte[] metadata, bool refusedBefore = false)
    {
        if (_storage is null)
        {
            return;
        }

        var id = ObjectId.ForTaskOutcome(ObjectOwner.FromClientIdentity(task.Source), task.TaskId, type == TaskResultType.Success);
        try
        {
            await _storage.SetAsync(id, payload, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectStorageException e) when (e.IsRefusal && !refusedBefore)
        {
            // The result is the task's problem, not the worker's: the task fails with the reason, the worker goes on.
            var failure = WorkerFailure.ResultRefused(payload.Length, e.Message);
            LogResultRefused(_logger, new TaskId(task.TaskId).ToHexString(), failure.Message);
            var language = await _languages.OfAsync(task, _storage).ConfigureAwait(false);
            await StoreAndReportAsync(task, TaskResultType.Failed, failure.ToPayload(language), metadata, refusedBefore: true).ConfigureAwait(false);
            return;
        }
        catch (ObjectStorageException e)
        {
            LogStorageFailed(_logger, e.Message);
            _exitCode = WorkerExitCodes.Failed;
            return;
        }

        await ReportAsync(task, type, id, metadata).ConfigureAwait(false);
    }

    /// <summary>ObjectInstruction create (owner: the task's client), then TaskResult, as the reference worker.</summary>
    private async ValueTask ReportAsync(TaskMessage task, TaskResultType type, ObjectId resultObject, byte[] metadata)
    {
        var idBytes = resultObject.ToBytes();
        await SendAsync(new ObjectInstruction
        {
            InstructionType = ObjectInstructionType.Create,
            ObjectUser = task.Source,
            ObjectMetadata = new ObjectMetadata
            {
                ObjectIds = [idBytes],
                ObjectTypes = [ObjectContentType.Object],
                ObjectNames = [Encoding.UTF8.GetBytes(ResultObjectName(resultObject))],
            },
        }).ConfigureAwait(false);
        await SendAsync(new TaskResult { TaskId = task.TaskId, ResultType = type, Metadata = metadata, Results = [idBytes] }).ConfigureAwait(false);
        LogTaskDone(_logger, new TaskId(task.TaskId).ToHexString(), type.ToString());
    }

    /// <summary>The display name the reference gives a result object.</summary>
    internal static string ResultObjectName(ObjectId id) =>
        $"<res ObjectID(owner_hash={id.Owner}, object_tag={id.ToString()[32..]})>";

    private async ValueTask OnTickAsync()
    {
        var now = _time.GetTimestamp();
        if (_disconnectDeadline >= 0 && now >= _disconnectDeadline)
        {
            _exitCode = WorkerExitCodes.Clean;
            return;
        }

        if (_time.GetElapsedTime(_lastSeen, now) >= _options.DeathTimeout)
        {
            LogDeathTimeout(_logger, _options.DeathTimeout.TotalSeconds);
            _exitCode = WorkerExitCodes.Failed;
            return;
        }

        if (_options.TaskTimeout > TimeSpan.Zero)
        {
            await TimeOutTasksAsync(now).ConfigureAwait(false);
        }

        if (!_awaitingEcho && _time.GetElapsedTime(_heartbeatSentAt, now) >= _options.HeartbeatInterval)
        {
            await SendHeartbeatAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask TimeOutTasksAsync(long now)
    {
        var expired = _running
            .Where(r => r.Value.StartedAt is { } started && _time.GetElapsedTime(started, now) >= _options.TaskTimeout)
            .ToList();
        foreach (var (key, running) in expired)
        {
            _running.Remove(key);
            _processorDeaths.Remove(key);
            await _backend.CancelAsync(running.Task.TaskId, CancellationToken.None).ConfigureAwait(false);
            LogTaskTimedOut(_logger, key.ToHexString(), _options.TaskTimeout.TotalSeconds);
            var failure = new WorkerFailure(
                WorkerFailureKind.TimedOut,
                $"task exceeded the worker's task timeout of {_options.TaskTimeout.TotalSeconds:0.###} seconds and was killed");
            var payload = failure.ToPayload(await _languages.OfAsync(running.Task, _storage).ConfigureAwait(false));
            await StoreAndReportAsync(running.Task, TaskResultType.Failed, payload, ElapsedProfile(running).ToBytes()).ConfigureAwait(false);
        }

        if (expired.Count > 0)
        {
            await DispatchAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask SendHeartbeatAsync()
    {
        if (_link is null)
        {
            // Between two tries to reach a lost scheduler; the next link starts with a heartbeat.
            return;
        }

        var (limit, available) = SystemMemory.Read();
        var heartbeat = new WorkerHeartbeat
        {
            Agent = _agentMeter.Read(_self),
            RssFree = available,
            MemLimit = limit,
            QueueSize = (uint)_options.TaskQueueSize,
            QueuedTasks = (uint)_queue.Count,
            LatencyUS = _latencyUs,
            TaskLock = _backendStarted && !_backend.CanAccept,
            Processors = _backendStarted ? _backend.GetProcessorStatuses() : [],
            Capabilities = _capabilities,
            WorkerManagerID = _workerManagerId,
        };
        _heartbeatSentAt = _time.GetTimestamp();
        _awaitingEcho = true;
        await SendAsync(heartbeat).ConfigureAwait(false);
    }

    private async ValueTask BeginDisconnectAsync()
    {
        if (_disconnectDeadline >= 0)
        {
            return;
        }

        LogDisconnecting(_logger);
        _disconnectDeadline = _time.GetTimestamp() + (long)(_options.DisconnectTimeout.TotalSeconds * _time.TimestampFrequency);
        if (_link is { IsConnected: true })
        {
            await SendAsync(new DisconnectRequest { Worker = _identityBytes }).ConfigureAwait(false);
        }
        else
        {
            _exitCode = WorkerExitCodes.Clean;
        }
    }

    private async ValueTask SendAsync(IMessage message)
    {
        if (_link is not { } link || _exitCode is not null)
        {
            return;
        }

        try
        {
            // Almost always the send queue has room and this completes at once; only a scheduler that stopped reading
            // makes it wait, and after 10 s it counts as gone. (No timer is armed for the common case: one per message
            // showed in a worker's profile.)
            var sent = link.SendAsync(MessageCodec.Encode(message));
            if (!sent.IsCompletedSuccessfully)
            {
                await sent.AsTask().WaitAsync(SchedulerSendTimeout, _time).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            link.ReportGone(e);
        }
    }

    /// <summary>A task given to the backend; <paramref name="StartedAt"/> is null while it waits behind another (submitted ahead).</summary>
    private sealed record RunningTask(TaskMessage Task, long? StartedAt);

    private sealed class CompletionSink(ChannelWriter<AgentEvent> inbox) : ITaskCompletionSink
    {
        public void TaskCompleted(TaskCompletion completion) => inbox.TryWrite(new AgentEvent.Completed(completion));

        public void CapacityAvailable() => inbox.TryWrite(new AgentEvent.CapacityAvailable());

        public void TaskStarted(byte[] taskId) => inbox.TryWrite(new AgentEvent.Started(taskId));

        public void TaskReturned(TaskMessage task) => inbox.TryWrite(new AgentEvent.Returned(task));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "task {TaskId} came back unstarted from its processor; queued again")]
    private static partial void LogTaskReturned(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity}: connecting to scheduler at {Address}")]
    private static partial void LogStarting(ILogger logger, string identity, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity}: quit with exit code {ExitCode}")]
    private static partial void LogQuit(ILogger logger, string identity, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "connecting to object storage at {Address}")]
    private static partial void LogConnectingStorage(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId} fails: {Reason}")]
    private static partial void LogResultRefused(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "object storage failed, quitting: {Reason}")]
    private static partial void LogStorageFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler closed the connection: {Reason}")]
    private static partial void LogSchedulerClosed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "lost the scheduler at {Address} ({Reason}); dropped the {Count} task(s) held for it; reconnecting, for up to {Seconds} s without it")]
    private static partial void LogSchedulerLost(ILogger logger, string address, string reason, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "scheduler at {Address} not reached (try {Attempt}: {Reason}); next try in {Delay} s, {Seconds:0} s without it so far")]
    private static partial void LogReconnectFailed(ILogger logger, string address, int attempt, string reason, double delay, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "reconnected to the scheduler at {Address} after {Seconds:0.0} s")]
    private static partial void LogReconnected(ILogger logger, string address, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: {Reason}; running it again ({Retry} of at most {Limit} retries)")]
    private static partial void LogRetryAfterProcessorDeath(ILogger logger, string taskId, string reason, int retry, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "never connected to the scheduler: {Reason}")]
    private static partial void LogSchedulerNeverReached(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "received client shutdown, quitting")]
    private static partial void LogClientShutdown(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored unexpected message {Kind} from the scheduler")]
    private static partial void LogUnexpectedMessage(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored duplicate task {TaskId}")]
    private static partial void LogDuplicateTask(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "cancel of task {TaskId}: {Answer}")]
    private static partial void LogCancel(ILogger logger, string taskId, string answer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "dropped a completion of task {TaskId}, which is no longer running here")]
    private static partial void LogStaleCompletion(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "task {TaskId} done: {ResultType}")]
    private static partial void LogTaskDone(ILogger logger, string taskId, string resultType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no heartbeat echo from the scheduler for {Seconds} s, quitting")]
    private static partial void LogDeathTimeout(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId} exceeded the task timeout of {Seconds} s, killed")]
    private static partial void LogTaskTimedOut(ILogger logger, string taskId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "shutting down: sending DisconnectRequest")]
    private static partial void LogDisconnecting(ILogger logger);
}
