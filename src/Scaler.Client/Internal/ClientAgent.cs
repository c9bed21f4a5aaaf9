using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>
/// The connection of one client: the scheduler connector, the object storage client, and the background loops
/// (receive, send, heartbeat) that follow the reference client agent (<c>scaler/client/agent/</c>). The public API
/// calls <see cref="Submit{T}"/> and <see cref="RequestCancel"/> from any thread; both only queue work for the send
/// loop, which stores a batch's objects, then sends its <c>ObjectInstruction</c> and tasks in submission order.
/// </summary>
internal sealed class ClientAgent : IAsyncDisposable
{
    private const int MaxBatch = 4096;

    /// <summary>Early result gets (see <see cref="StartEarlyResult"/>) are asked for while fewer than this many wait.</summary>
    private const int EarlyResultsMaxInFlight = 8;
    private static readonly byte[] SerializerName = "serializer"u8.ToArray();

    private readonly ClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly YmqConnector _scheduler;
    private readonly ObjectPlanner _planner;
    private readonly Lock _submitLock = new();
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<UInt128, IPendingTask> _pending = new();

    /// <summary>
    /// Gets of task results asked for when the task was sent, by task key: a worker of ours stores a task's result
    /// under <see cref="ObjectId.ForTaskResult"/>, and object storage answers the waiting get the moment the result
    /// lands, while the task's result message still travels through the worker and the scheduler.
    /// </summary>
    private readonly ConcurrentDictionary<UInt128, EarlyResult> _earlyResults = new();

    /// <summary>Entries of <see cref="_earlyResults"/> (the dictionary's own count takes all its locks).</summary>
    private int _earlyResultCount;
    private readonly TaskCompletionSource<ObjectStorageAddress> _firstEcho = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _shutdownAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _stopSending = new();
    private readonly ResourceUsage _usage;
    private ObjectStorageClient? _storage;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _sendLoop = Task.CompletedTask;
    private Task _heartbeatLoop = Task.CompletedTask;
    private volatile Exception? _closedError;
    private volatile string? _lastTransportError;
    private long _lastContact;
    private long _heartbeatSentAt;
    private uint _latencyMicroseconds;
    private int _closing;
    private int _shuttingDown;
    private int _disposed;
    private int _codeUploads;
    private int _objectUploads;
    private int _storesInFlight;

    private ClientAgent(ScalerAddress address, ClientOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger("Scaler.Client");
        SchedulerAddress = address;
        Identity = ClientIdentity.CreateNew();
        Functions = new FunctionCache(options.Serializer);
        _planner = new ObjectPlanner(Identity.Owner);
        _usage = new ResourceUsage(_time);
        _lastContact = _time.GetTimestamp();
        _scheduler = YmqConnector.Connect(
            address,
            options.Tls.ForConnectorToServer(new YmqOptions
            {
                Identity = Identity.Text,
                ConnectMaxRetries = null,
                ConnectRetryMaxDelay = TimeSpan.FromSeconds(2),
                TimeProvider = _time,
            }),
            options.LoggerFactory.CreateLogger<YmqConnector>());
        _scheduler.StateChanged += OnSchedulerStateChanged;
    }

    public ClientIdentity Identity { get; }

    public ScalerAddress SchedulerAddress { get; }

    public ScalerAddress? ObjectStorageAddress { get; private set; }

    public FunctionCache Functions { get; }

    public IScalerSerializer Serializer => _options.Serializer;

    public bool IsClosed => _closing != 0 || _closedError is not null;

    /// <summary>Tasks submitted and not yet done.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Code assemblies stored by this client (tests check each is stored once).</summary>
    internal int CodeUploads => Volatile.Read(ref _codeUploads);

    /// <summary>Function and argument objects stored by this client.</summary>
    internal int ObjectUploads => Volatile.Read(ref _objectUploads);

    /// <summary>Object and code stores started and not yet acknowledged (or failed): tests wait for zero.</summary>
    internal int StoresInFlight => Volatile.Read(ref _storesInFlight);

    /// <summary>
    /// Connects to the scheduler, waits for its first heartbeat echo (which names the object storage), connects the
    /// object storage and stores this client's serializer object, all within <see cref="ClientOptions.ConnectTimeout"/>.
    /// </summary>
    public static async Task<ClientAgent> ConnectAsync(ScalerAddress address, ClientOptions options, CancellationToken cancellationToken)
    {
        var agent = new ClientAgent(address, options);
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stage = "connecting";
        try
        {
            await agent._scheduler.WaitConnectedAsync(linked.Token).ConfigureAwait(false);
            stage = "heartbeat";
            agent._lastContact = agent._time.GetTimestamp();
            agent._receiveLoop = agent.ReceiveLoopAsync();
            await agent.SendHeartbeatAsync(linked.Token).ConfigureAwait(false);
            agent._heartbeatLoop = agent.HeartbeatLoopAsync();
            var advertised = await agent._firstEcho.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            stage = "storage";
            agent.ObjectStorageAddress = options.ObjectStorageAddress is { } overridden
                ? ScalerAddress.Parse(overridden)
                : ScalerAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"{advertised.Scheme}://{advertised.Host}:{advertised.Port}"));
            agent._storage = await ObjectStorageClient.ConnectAsync(
                agent.ObjectStorageAddress,
                options.Tls.ForConnectorToServer(
                    new YmqOptions { Identity = agent.Identity.Text, ConnectMaxRetries = null, ConnectRetryMaxDelay = TimeSpan.FromSeconds(2), TimeProvider = agent._time }),
                options.LoggerFactory,
                linked.Token).ConfigureAwait(false);
            await agent.StoreSerializerAsync(linked.Token).ConfigureAwait(false);
            agent._sendLoop = agent.SendLoopAsync();
            ClientLog.Connected(agent._logger, agent.Identity.Text, address.ToString(), agent.ObjectStorageAddress.ToString());
            return agent;
        }
        catch (Exception e)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var transportReason = stage == "connecting" && timeout.IsCancellationRequested
                ? await ConnectProbe.DescribeAsync(address, TimeSpan.FromSeconds(1)).ConfigureAwait(false)
                : null;
            throw agent.DescribeConnectFailure(stage, e, timeout.IsCancellationRequested, transportReason);
        }
    }

    /// <summary>
    /// Packages the call (argument errors are thrown here, synchronously) and queues the task; returns its future.
    /// </summary>
    public ScalerFuture<T> Submit<T>(ShippableFunction function, string functionName, object?[] arguments, TaskSettings settings)
    {
        ThrowIfClosed();
        if (function.ResultType != typeof(void) && !typeof(T).IsAssignableFrom(function.ResultType))
        {
            throw new ArgumentException($"the function's result is a {function.ResultType.Name}, not a {typeof(T).Name}", nameof(function));
        }

        var call = function.Package(arguments);
        var taskId = TaskIds.New();
        var future = new ScalerFuture<T>(this, taskId, function);
        lock (_submitLock)
        {
            ThrowIfClosed();
            var uploads = new List<PendingUpload>();
            var code = new List<CodeAssembly>();
            _planner.PlaceCode(function.CodeAssemblies, code);
            var functionId = _planner.PlaceFunction(function.FunctionObject, _ => Encoding.UTF8.GetBytes(functionName), uploads);
            var argumentIds = new TaskMessage.Argument[call.ArgumentObjects.Count];
            for (var i = 0; i < argumentIds.Length; i++)
            {
                var id = _planner.Place(call.ArgumentObjects[i], static id => Encoding.UTF8.GetBytes($"<obj {id}>"), uploads);
                argumentIds[i] = new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = id.ToBytes() };
            }

            var task = new TaskMessage
            {
                TaskId = taskId,
                Source = Identity.Bytes,
                Metadata = settings.Metadata(),
                FuncObjectId = functionId.ToBytes(),
                FunctionArgs = argumentIds,
                Capabilities = settings.Capabilities,
            };
            _pending[Key(taskId)] = future;
            _outgoing.Writer.TryWrite(new Submission(task, [taskId], uploads, code));
        }

        return future;
    }

    /// <summary>
    /// Queues a <c>GraphTask</c> (every call of <paramref name="plan"/>; arguments that are other calls travel as task
    /// references), each carrying <paramref name="settings"/>, and returns the futures of the requested call keys and
    /// the entry of the graph's own ID.
    /// </summary>
    public (Dictionary<string, ScalerFuture<object?>> Futures, GraphUmbrella Graph) SubmitGraph(GraphPlan plan, TaskSettings settings)
    {
        ThrowIfClosed();
        var graphId = TaskIds.New();
        var taskIds = plan.Calls.ToDictionary(c => c.Node.Key, _ => TaskIds.New(), StringComparer.Ordinal);
        var futures = new Dictionary<string, ScalerFuture<object?>>(StringComparer.Ordinal);
        foreach (var key in plan.Keys.Where(taskIds.ContainsKey))
        {
            futures[key] = new ScalerFuture<object?>(this, taskIds[key], plan.Calls.First(c => c.Node.Key == key).Function, graphId);
        }

        var umbrella = new GraphUmbrella(graphId);
        lock (_submitLock)
        {
            ThrowIfClosed();
            var uploads = new List<PendingUpload>();
            var code = new List<CodeAssembly>();
            var valueIds = plan.Values.ToDictionary(
                v => v.Key, v => _planner.Place(v.Value, _ => Encoding.UTF8.GetBytes(v.Key), uploads), StringComparer.Ordinal);
            var tasks = new List<TaskMessage>(plan.Calls.Count);
            foreach (var (node, function) in plan.Calls)
            {
                _planner.PlaceCode(function.CodeAssemblies, code);
                var functionId = _planner.PlaceFunction(function.FunctionObject, _ => Encoding.UTF8.GetBytes(node.Function!.Method.Name), uploads);
                tasks.Add(new TaskMessage
                {
                    TaskId = taskIds[node.Key],
                    Source = Identity.Bytes,
                    Metadata = settings.Metadata(),
                    FuncObjectId = functionId.ToBytes(),
                    FunctionArgs = node.Arguments.Select(a => taskIds.TryGetValue(a, out var producer)
                        ? new TaskMessage.Argument { Type = ArgumentType.Task, Data = producer }
                        : new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = valueIds[a].ToBytes() }).ToArray(),
                    Capabilities = settings.Capabilities,
                });
            }

            var graphTask = new GraphTask
            {
                TaskId = graphId,
                Source = Identity.Bytes,
                Targets = futures.Values.Select(f => f.TaskId).ToArray(),
                Graph = tasks,
            };
            _pending[Key(graphId)] = umbrella;
            foreach (var future in futures.Values)
            {
                _pending[Key(future.TaskId)] = future;
            }

            _outgoing.Writer.TryWrite(new Submission(graphTask, [graphId, .. futures.Values.Select(f => f.TaskId)], uploads, code));
        }

        return (futures, umbrella);
    }

    /// <summary>Queues a <c>TaskCancel</c> behind the task's submission.</summary>
    public void RequestCancel(byte[] taskId)
    {
        if (_pending.ContainsKey(Key(taskId)))
        {
            _outgoing.Writer.TryWrite(new CancelRequest(taskId));
        }
    }

    /// <summary>Sends <c>ClientDisconnect(disconnect)</c> and closes; pending futures fail with <see cref="ScalerClientException"/>.</summary>
    public async Task DisconnectAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0 && _closedError is null)
        {
            ClientLog.Disconnecting(_logger, Identity.Text, SchedulerAddress.ToString(), _pending.Count);
            await StopSendingAsync().ConfigureAwait(false);
            try
            {
                await SendAsync(new ClientDisconnect { DisconnectType = DisconnectType.Disconnect }, _stop.Token).ConfigureAwait(false);
                await Task.Delay(_options.DisconnectLinger, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The scheduler is gone already: nothing to tell it.
            }

            Close(new ScalerClientException($"the client disconnected from the scheduler at {SchedulerAddress} before the task finished"));
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <c>ClientDisconnect(shutdown)</c>, waits for <c>ClientShutdownResponse</c> and closes. Throws when the
    /// scheduler refuses (protected mode, or a cluster with mutual TLS and a client without the admin role) or does not
    /// answer in time; the client is closed either way.
    /// </summary>
    public async Task ShutdownAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0 || _closedError is not null)
        {
            await DisposeAsync().ConfigureAwait(false);
            return;
        }

        Exception? failure = null;
        Volatile.Write(ref _shuttingDown, 1);
        await StopSendingAsync().ConfigureAwait(false);
        try
        {
            await SendAsync(new ClientDisconnect { DisconnectType = DisconnectType.Shutdown }, _stop.Token).ConfigureAwait(false);
            var accepted = await _shutdownAnswer.Task.WaitAsync(_options.ShutdownTimeout, _time).ConfigureAwait(false);
            if (!accepted)
            {
                failure = new InvalidOperationException(
                    $"the scheduler at {SchedulerAddress} refused to shut down (it runs in protected mode, or requires the admin role of this client's certificate)");
            }
        }
        catch (TimeoutException)
        {
            failure = new ScalerClientException(
                $"the scheduler at {SchedulerAddress} did not answer the shutdown request within {_options.ShutdownTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is IOException or ScalerClientException)
        {
            failure = new ScalerClientException($"could not ask the scheduler at {SchedulerAddress} to shut down: {e.Message}", e);
        }

        Close(new ScalerClientException($"the client shut the cluster at {SchedulerAddress} down before the task finished"));
        await DisposeAsync().ConfigureAwait(false);
        if (failure is not null)
        {
            throw failure;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(new ScalerClientException($"the client of the scheduler at {SchedulerAddress} was closed before the task finished"));
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopSending.CancelAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await Quietly(_sendLoop).ConfigureAwait(false);
        await Quietly(_receiveLoop).ConfigureAwait(false);
        await Quietly(_heartbeatLoop).ConfigureAwait(false);
        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }

        _scheduler.StateChanged -= OnSchedulerStateChanged;
        await _scheduler.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Loops report their own failures through Close; here we only wait for them to end.
        }
    }

    private static UInt128 Key(ReadOnlySpan<byte> taskId) =>
        taskId.Length >= 16
            ? new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(taskId), BinaryPrimitives.ReadUInt64LittleEndian(taskId[8..]))
            : UInt128.MaxValue;

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0 || _closing != 0, typeof(Client));
        if (_closedError is { } error)
        {
            throw new ScalerClientException($"the client cannot submit tasks any more: {error.Message}", error);
        }
    }

    private void OnSchedulerStateChanged(object? sender, YmqConnectorStateChangedEventArgs e)
    {
        if (e.Error is { } error)
        {
            _lastTransportError = error.Message;
        }
    }

    private ScalerClientException DescribeConnectFailure(string stage, Exception error, bool timedOut, string? transportReason)
    {
        var seconds = _options.ConnectTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var reason = stage switch
        {
            "connecting" when timedOut => $"{transportReason ?? _lastTransportError ?? "no connection"} (gave up after {seconds} s)",
            "heartbeat" when timedOut => $"connected, but no heartbeat answer within {seconds} s (is it a Scaler scheduler?)",
            "storage" when timedOut => $"the object storage at {ObjectStorageAddress} it advertises did not answer within {seconds} s",
            "storage" => $"the object storage at {ObjectStorageAddress} it advertises failed: {error.Message}",
            _ => error.Message,
        };
        return new ScalerClientException($"could not reach the scheduler at {SchedulerAddress}: {reason}", error);
    }

    private async Task StoreSerializerAsync(CancellationToken cancellationToken)
    {
        var id = ObjectId.ForSerializer(Identity.Owner);
        var bytes = SerializerDescriptor.For(_options.Serializer).ToBytes();
        await _storage!.SetAsync(id, bytes, cancellationToken).ConfigureAwait(false);
        await SendAsync(
            new ObjectInstruction
            {
                InstructionType = ObjectInstructionType.Create,
                ObjectUser = Identity.Bytes,
                ObjectMetadata = new ObjectMetadata
                {
                    ObjectIds = [id.ToBytes()],
                    ObjectTypes = [ObjectContentType.Serializer],
                    ObjectNames = [SerializerName],
                },
            },
            cancellationToken).ConfigureAwait(false);
    }

    private ValueTask SendAsync(IMessage message, CancellationToken cancellationToken) =>
        _scheduler.SendAsync(MessageCodec.Encode(message), cancellationToken);

    private async Task StopSendingAsync()
    {
        _outgoing.Writer.TryComplete();
        await _stopSending.CancelAsync().ConfigureAwait(false);
        await Quietly(_sendLoop).ConfigureAwait(false);
    }

    /// <summary>Ends the client once: fails every pending future with <paramref name="reason"/> and stops the loops.</summary>
    private void Close(Exception reason)
    {
        if (_closedError is not null)
        {
            return;
        }

        lock (_submitLock)
        {
            if (_closedError is not null)
            {
                return;
            }

            _closedError = reason;
            _outgoing.Writer.TryComplete();
        }

        _firstEcho.TrySetException(reason);
        _shutdownAnswer.TrySetException(reason);
        _ = _firstEcho.Task.Exception;
        _ = _shutdownAnswer.Task.Exception;
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var future))
            {
                future.Fail(reason);
            }
        }

        // Their gets end with the connection, quietly (see GetEarlyAsync).
        _earlyResults.Clear();
        Volatile.Write(ref _earlyResultCount, 0);

        _stopSending.Cancel();
        _stop.Cancel();
    }

    private async Task ReceiveLoopAsync()
    {
        await Task.Yield();
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            ReadOnlyMemory<byte> frame;
            try
            {
                frame = await _scheduler.ReceiveAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                OnSchedulerLost(e.Message, e);
                return;
            }

            Volatile.Write(ref _lastContact, _time.GetTimestamp());
            IMessage message;
            try
            {
                message = MessageCodec.Decode(frame.Span);
            }
            catch (ProtocolException e)
            {
                ClientLog.BadMessage(_logger, e);
                continue;
            }

            Dispatch(message);
        }
    }

    private void OnSchedulerLost(string reason, Exception? error)
    {
        if (Volatile.Read(ref _shuttingDown) != 0)
        {
            // The reference scheduler may close right after answering a shutdown; that counts as accepted.
            _shutdownAnswer.TrySetResult(true);
            return;
        }

        if (_closedError is not null || _closing != 0)
        {
            return;
        }

        ClientLog.SchedulerLost(_logger, SchedulerAddress.ToString(), reason);
        Close(new ScalerClientException(
            $"the client lost its connection to the scheduler at {SchedulerAddress} before the task finished: {reason}", error!));
    }

    private void Dispatch(IMessage message)
    {
        switch (message)
        {
            case ClientHeartbeatEcho echo:
                OnHeartbeatEcho(echo);
                break;
            case TaskResult result:
                OnTaskResult(result);
                break;
            case TaskCancelConfirm confirm:
                OnTaskCancelConfirm(confirm);
                break;
            case ClientShutdownResponse response:
                _shutdownAnswer.TrySetResult(response.Accepted);
                break;
            case TaskLog log:
                ClientLog.TaskLog(_logger, Convert.ToHexStringLower(log.TaskId), log.LogType == LogType.Stderr ? "stderr" : "stdout", log.Content);
                break;
            default:
                ClientLog.UnexpectedMessage(_logger, message.Kind.ToString());
                break;
        }
    }

    private void OnHeartbeatEcho(ClientHeartbeatEcho echo)
    {
        var sentAt = Interlocked.Exchange(ref _heartbeatSentAt, 0);
        if (sentAt != 0)
        {
            var elapsed = _time.GetElapsedTime(sentAt);
            _latencyMicroseconds = (uint)Math.Clamp(elapsed.TotalMicroseconds / 2, 0, uint.MaxValue);
        }

        _firstEcho.TrySetResult(echo.ObjectStorageAddress);
    }

    private void OnTaskResult(TaskResult result)
    {
        if (!_pending.TryRemove(Key(result.TaskId), out var future))
        {
            AbandonEarlyResult(result.TaskId);
            return;
        }

        var taskHex = Convert.ToHexStringLower(result.TaskId);
        switch (result.ResultType)
        {
            case TaskResultType.FailedWorkerDied:
                future.Fail(new WorkerDiedException($"the worker died while running task {taskHex}"));
                break;
            case TaskResultType.Success when !future.ExpectsResultObject:
                future.CompleteWithResult(ReadOnlyMemory<byte>.Empty);
                break;
            case TaskResultType.Failed when !future.ExpectsResultObject:
                future.Fail(new ScalerClientException($"graph {taskHex} failed"));
                break;
            case TaskResultType.Success or TaskResultType.Failed when result.Results.Count == 1 && result.Results[0].Length == ObjectId.ByteLength:
                var resultId = ObjectId.FromBytes(result.Results[0]);
                _ = FetchResultAsync(future, resultId, TakeEarlyResult(result.TaskId, resultId), result.ResultType == TaskResultType.Success, taskHex);
                return;
            case TaskResultType.Success or TaskResultType.Failed:
                future.Fail(new ScalerClientException(
                    $"the scheduler reported task {taskHex} as {result.ResultType} with {result.Results.Count} result object(s) instead of one"));
                break;
            default:
                future.Fail(new ScalerClientException($"the scheduler reported task {taskHex} with an unknown result type {(int)result.ResultType}"));
                break;
        }

        AbandonEarlyResult(result.TaskId);
    }

    private async Task FetchResultAsync(
        IPendingTask future, ObjectId resultId, Task<(ReadOnlyMemory<byte> Content, Exception? Error)>? early, bool succeeded, string taskHex)
    {
        var (content, error) = await (early ?? GetQuietlyAsync(resultId)).ConfigureAwait(false);
        if (error is not null)
        {
            future.Fail(new ScalerClientException(
                $"task {taskHex} finished, but its result could not be read from the object storage at {ObjectStorageAddress}: {error.Message}", error));
            return;
        }

        // The result belongs to this client alone; drop it from storage once read, as the reference client does for
        // simple tasks (a graph's results may feed other nodes; the scheduler cleans them).
        if (future.DeletesResult)
        {
            _ = DeleteResultAsync(resultId);
        }

        if (succeeded)
        {
            future.CompleteWithResult(content);
        }
        else
        {
            future.Fail(RemoteError.Read(content.Span).ToException());
        }
    }

    /// <summary>
    /// Asks object storage for where task <paramref name="taskId"/>'s result will be (see <see cref="_earlyResults"/>),
    /// while the client has few tasks in flight. With many, latency matters less than the cost per task: results then
    /// come back one by one as workers store them, each waking this client, where gets sent on result messages travel
    /// and are answered in batches. Measured on two cores: early gets took about a tenth off one task's round trip,
    /// and about a tenth off the throughput of 10,000 tiny tasks when every task had one.
    /// </summary>
    private void StartEarlyResult(byte[] taskId)
    {
        if (taskId.Length == 16 && _storage is not null && Volatile.Read(ref _earlyResultCount) < EarlyResultsMaxInFlight)
        {
            var id = ObjectId.ForTaskResult(Identity.Owner, taskId);
            var key = Key(taskId);
            var early = new EarlyResult(id, GetQuietlyAsync(id));
            if (_earlyResults.TryAdd(key, early))
            {
                Interlocked.Increment(ref _earlyResultCount);
                _ = CompleteFromEarlyResultAsync(key, early);
            }
        }
    }

    /// <summary>
    /// Workers store only a success under <see cref="ObjectId.ForTaskResult"/> (an error goes under
    /// <see cref="ObjectId.ForTaskError"/>), so an early get answered with an object means the task succeeded: its
    /// future completes then, without waiting for the result message, which travels through the worker and the
    /// scheduler, one process hop more (decision 20). Whoever removes the task from <see cref="_pending"/> first (this,
    /// the result message or a cancel) completes it; the others find it gone. A failed get, or one ended on purpose
    /// (answered by the empty set of <see cref="EndEarlyResultAsync"/>), is left to the result message.
    /// </summary>
    private async Task CompleteFromEarlyResultAsync(UInt128 key, EarlyResult early)
    {
        var (content, error) = await early.Content.ConfigureAwait(false);
        if (error is not null || early.Ended || !_pending.TryRemove(key, out var future))
        {
            return;
        }

        if (_earlyResults.TryRemove(KeyValuePair.Create(key, early)))
        {
            Interlocked.Decrement(ref _earlyResultCount);
        }

        if (future.DeletesResult)
        {
            _ = DeleteResultAsync(early.Id);
        }

        future.CompleteWithResult(content);
    }

    /// <summary>
    /// The early get of a task whose result is <paramref name="resultId"/>; null when there is none, or when the result
    /// is somewhere else (a worker that names results its own way, as the reference's do), whose get is then ended.
    /// </summary>
    private Task<(ReadOnlyMemory<byte> Content, Exception? Error)>? TakeEarlyResult(byte[] taskId, ObjectId resultId)
    {
        if (!_earlyResults.TryRemove(Key(taskId), out var early))
        {
            return null;
        }

        Interlocked.Decrement(ref _earlyResultCount);

        if (early.Id == resultId)
        {
            return early.Content;
        }

        _ = EndEarlyResultAsync(early);
        return null;
    }

    /// <summary>Ends the early get of a task that will not store a result there (canceled, lost with its worker).</summary>
    private void AbandonEarlyResult(byte[] taskId)
    {
        if (_earlyResults.TryRemove(Key(taskId), out var early))
        {
            Interlocked.Decrement(ref _earlyResultCount);
            _ = EndEarlyResultAsync(early);
        }
    }

    /// <summary>
    /// A get waits in object storage until its object exists, and the protocol has no way to withdraw one: an empty set
    /// answers it (the answer is dropped), and a delete removes that object, or a result that was stored after all.
    /// </summary>
    private async Task EndEarlyResultAsync(EarlyResult early)
    {
        // Marked before the empty set goes out, so the answer it causes is never taken for a result.
        early.Ended = true;
        try
        {
            if (!early.Content.IsCompleted)
            {
                await _storage!.SetAsync(early.Id, ReadOnlyMemory<byte>.Empty, _stop.Token).ConfigureAwait(false);
            }

            await _storage!.DeleteAsync(early.Id, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing or disconnected: the get ends with the connection, and the scheduler deletes this client's objects.
        }
    }

    /// <summary>A get whose failure is returned rather than thrown, so an early get nobody awaits never goes unobserved.</summary>
    private async Task<(ReadOnlyMemory<byte> Content, Exception? Error)> GetQuietlyAsync(ObjectId id)
    {
        try
        {
            return (await _storage!.GetAsync(id, _stop.Token).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            return (default, e);
        }
    }

    private async Task DeleteResultAsync(ObjectId resultId)
    {
        try
        {
            await _storage!.DeleteAsync(resultId, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Closing: the scheduler deletes this client's objects when it leaves.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            ClientLog.ResultDeleteFailed(_logger, resultId.ToString(), e);
        }
    }

    private void OnTaskCancelConfirm(TaskCancelConfirm confirm)
    {
        var key = Key(confirm.TaskId);
        if (confirm.CancelConfirmType != TaskCancelConfirmType.CancelFailed)
        {
            AbandonEarlyResult(confirm.TaskId);
        }

        switch (confirm.CancelConfirmType)
        {
            case TaskCancelConfirmType.CancelFailed:
                ClientLog.CancelFailed(_logger, Convert.ToHexStringLower(confirm.TaskId));
                break;
            case TaskCancelConfirmType.CancelNotFound:
                ClientLog.CancelNotFound(_logger, Convert.ToHexStringLower(confirm.TaskId));
                if (_pending.TryRemove(key, out var notFound))
                {
                    notFound.MarkCanceled();
                }

                break;
            default:
                if (_pending.TryRemove(key, out var canceled))
                {
                    canceled.MarkCanceled();
                }

                break;
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        var token = _stop.Token;
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                var silence = _time.GetElapsedTime(Volatile.Read(ref _lastContact));
                if (silence > _options.SchedulerTimeout)
                {
                    OnSchedulerLost($"no message for {silence.TotalSeconds:0} s (timeout {_options.SchedulerTimeout.TotalSeconds:0} s)", null);
                    return;
                }

                // Once ClientDisconnect is on its way, a heartbeat would make the scheduler register this client again.
                if (Volatile.Read(ref _closing) != 0)
                {
                    return;
                }

                // One heartbeat outstanding at a time, as the reference; resend if its echo seems lost.
                var sentAt = Volatile.Read(ref _heartbeatSentAt);
                if (sentAt != 0 && _time.GetElapsedTime(sentAt) < 3 * _options.HeartbeatInterval)
                {
                    continue;
                }

                await SendHeartbeatAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Closing.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            OnSchedulerLost(e.Message, e);
        }
    }

    private async Task SendHeartbeatAsync(CancellationToken cancellationToken)
    {
        var (cpu, rss) = _usage.Sample();
        Volatile.Write(ref _heartbeatSentAt, _time.GetTimestamp());
        await SendAsync(
            new ClientHeartbeat { Resource = new Resource { Cpu = cpu, Rss = rss }, LatencyUS = _latencyMicroseconds },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task SendLoopAsync()
    {
        // Under the turn context (which only ever runs it on the pool or in one of its turns, never on a user's
        // context): the frames a batch causes (object sets, the task, its early get) are written from this thread when
        // the batch's synchronous part ends, and the early gets' answers come back in the turn that reads them.
        await TurnContext.SwitchTo();
        var token = _stopSending.Token;
        var reader = _outgoing.Reader;
        var batch = new List<Outgoing>();
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(true))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                await SendBatchAsync(batch, token).ConfigureAwait(true);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disconnecting or closed.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            OnSchedulerLost(e.Message, e);
        }
    }

    private async Task SendBatchAsync(List<Outgoing> batch, CancellationToken token)
    {
        // The objects are stored and the tasks sent at the same time: a worker that asks for an object before its set
        // has landed waits for it in object storage, so a task never needs its objects' acknowledgement to be sent, and
        // one object-storage round trip comes off every submission's latency. If a store fails, the batch's tasks are
        // failed here and canceled at the scheduler (a worker waiting for the missing object is stopped by the cancel).
        var submissions = batch.OfType<Submission>().ToList();
        var stores = submissions.Count > 0 ? StoreObjectsAsync(submissions, token) : Task.FromResult<HashSet<Submission>?>(null);
        var created = submissions.SelectMany(s => s.Uploads).ToList();
        if (created.Count > 0)
        {
            await SendAsync(
                new ObjectInstruction
                {
                    InstructionType = ObjectInstructionType.Create,
                    ObjectUser = Identity.Bytes,
                    ObjectMetadata = new ObjectMetadata
                    {
                        ObjectIds = created.Select(u => u.Id.ToBytes()).ToArray(),
                        ObjectTypes = created.Select(_ => ObjectContentType.Object).ToArray(),
                        ObjectNames = created.Select(u => u.Name).ToArray(),
                    },
                },
                token).ConfigureAwait(false);
        }

        foreach (var item in batch)
        {
            switch (item)
            {
                case Submission submission:
                    // The get goes first, so it is registered before the result can come back.
                    if (submission.Message is TaskMessage task)
                    {
                        StartEarlyResult(task.TaskId);
                    }

                    await SendAsync(submission.Message, token).ConfigureAwait(false);
                    break;
                case CancelRequest cancel when _pending.ContainsKey(Key(cancel.TaskId)):
                    await SendAsync(new TaskCancel { TaskId = cancel.TaskId, Flags = new TaskCancel.TaskCancelFlags { Force = true } }, token)
                        .ConfigureAwait(false);
                    break;
            }
        }

        if (await stores.ConfigureAwait(false) is { } failed)
        {
            foreach (var taskId in failed.SelectMany(s => s.TaskIds))
            {
                await SendAsync(new TaskCancel { TaskId = taskId, Flags = new TaskCancel.TaskCancelFlags { Force = true } }, token)
                    .ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stores the batch's new objects; returns the submissions whose objects could not be stored (already failed).</summary>
    private async Task<HashSet<Submission>?> StoreObjectsAsync(List<Submission> submissions, CancellationToken token)
    {
        var stores = new List<Task>();
        foreach (var submission in submissions)
        {
            foreach (var assembly in submission.Code)
            {
                stores.Add(StoreCodeAsync(assembly, token));
            }

            foreach (var upload in submission.Uploads)
            {
                stores.Add(StoreObjectAsync(upload, token));
            }
        }

        Interlocked.Add(ref _storesInFlight, stores.Count);
        try
        {
            await Task.WhenAll(stores).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !token.IsCancellationRequested)
        {
            ClientLog.UploadFailed(_logger, submissions.Count, e);
            lock (_submitLock)
            {
                _planner.Forget(submissions.SelectMany(s => s.Uploads), submissions.SelectMany(s => s.Code));
            }

            foreach (var taskId in submissions.SelectMany(s => s.TaskIds))
            {
                AbandonEarlyResult(taskId);
                if (_pending.TryRemove(Key(taskId), out var future))
                {
                    future.Fail(new ScalerClientException(
                        $"could not store the objects of task {Convert.ToHexStringLower(taskId)} in the object storage at {ObjectStorageAddress}: {e.Message}", e));
                }
            }

            return [.. submissions];
        }
        finally
        {
            Interlocked.Add(ref _storesInFlight, -stores.Count);
        }
    }

    private async Task StoreObjectAsync(PendingUpload upload, CancellationToken token)
    {
        await _storage!.SetAsync(upload.Id, upload.Content, token).ConfigureAwait(false);
        Interlocked.Increment(ref _objectUploads);
    }

    private async Task StoreCodeAsync(CodeAssembly assembly, CancellationToken token)
    {
        var bytes = await File.ReadAllBytesAsync(assembly.Path, token).ConfigureAwait(false);
        await _storage!.SetAsync(ObjectId.FromBytes(assembly.Reference.ObjectId()), bytes, token).ConfigureAwait(false);
        Interlocked.Increment(ref _codeUploads);
    }

    private sealed class EarlyResult(ObjectId id, Task<(ReadOnlyMemory<byte> Content, Exception? Error)> content)
    {
        private volatile bool _ended;

        public ObjectId Id { get; } = id;

        public Task<(ReadOnlyMemory<byte> Content, Exception? Error)> Content { get; } = content;

        /// <summary>Set by <see cref="EndEarlyResultAsync"/>: whatever answers this get now is not the task's result.</summary>
        public bool Ended
        {
            get => _ended;
            set => _ended = value;
        }
    }
}
