using System.Globalization;
using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.Identity;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>
/// The connection of one client, following the reference client agent (<c>scaler/client/agent/</c>): it connects, owns
/// the receive loop and hands each message to the part that handles it, queues what the public API submits for the
/// send loop, and closes. The parts: <see cref="SubmissionBuilder"/> (messages and uploads of a call or a graph),
/// <see cref="SubmissionSender"/> (the send loop) with <see cref="ObjectUploader"/>, <see cref="EarlyResultGets"/>,
/// <see cref="TaskOutcomeHandler"/> (results, cancel confirmations, failed stores) and <see cref="HeartbeatKeeper"/>, all sharing
/// the <see cref="PendingTasks"/>. The public API calls <see cref="Submit{T}"/> and <see cref="RequestCancel"/> from any
/// thread; both only queue work for the send loop.
/// </summary>
internal sealed class ClientAgent : IAsyncDisposable
{
    private static readonly byte[] SerializerName = "serializer"u8.ToArray();

    private readonly ClientOptions _options;
    private readonly ILogger _logger;
    private readonly ClientConnections _connections;
    private readonly PendingTasks _pending = new();
    private readonly SubmissionQueue _queue;
    private readonly EarlyResultGets _early;
    private readonly TaskOutcomeHandler _outcomes;
    private readonly ObjectUploader _uploader;
    private readonly SubmissionSender _sender;
    private readonly HeartbeatKeeper _heartbeat;
    private readonly TaskCompletionSource<ObjectStorageAddress> _firstEcho = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _shutdownAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _stopSending = new();
    private Task _receiveLoop = Task.CompletedTask;
    private Task _sendLoop = Task.CompletedTask;
    private Task _heartbeatLoop = Task.CompletedTask;
    private int _closing;
    private int _shuttingDown;
    private int _disposed;

    private ClientAgent(ScalerAddress address, ClientOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("Scaler.Client");
        SchedulerAddress = address;
        Identity = ClientIdentity.CreateNew();
        Functions = new FunctionCache(options.Serializer);
        _connections = new ClientConnections(address, Identity.Text, options);
        _queue = new SubmissionQueue(new SubmissionBuilder(Identity), _pending, () => _disposed != 0 || _closing != 0);
        var resultObjects = new ResultObjects(_connections.Storage, _logger, _stop.Token);
        _early = new EarlyResultGets(resultObjects, _pending, Identity.Owner);
        _outcomes = new TaskOutcomeHandler(_pending, _early, resultObjects, _logger);
        _uploader = new ObjectUploader(_connections.Storage, _logger, OnObjectsNotStored);
        _sender = new SubmissionSender(_connections, Identity, _uploader, _early, _pending);
        _heartbeat = new HeartbeatKeeper(
            _connections, options.TimeProvider, options.HeartbeatInterval, options.SchedulerTimeout, () => Volatile.Read(ref _closing) != 0, OnSchedulerLost);
    }

    public ClientIdentity Identity { get; }

    public ScalerAddress SchedulerAddress { get; }

    public ScalerAddress? ObjectStorageAddress { get; private set; }

    public FunctionCache Functions { get; }

    public IScalerSerializer Serializer => _options.Serializer;

    public bool IsClosed => _closing != 0 || _queue.ClosedError is not null;

    /// <summary>Tasks submitted and not yet done.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Code assemblies stored by this client (tests check each is stored once).</summary>
    internal int CodeUploads => _uploader.CodeUploads;

    /// <summary>Function and argument objects stored by this client.</summary>
    internal int ObjectUploads => _uploader.ObjectUploads;

    /// <summary>Object and code stores started and not yet acknowledged (or failed): tests wait for zero.</summary>
    internal int StoresInFlight => _uploader.StoresInFlight;

    /// <summary>
    /// Connects to the scheduler, waits for its first heartbeat echo (which names the object storage), connects the
    /// object storage and stores this client's serializer object, all within <see cref="ClientOptions.ConnectTimeout"/>.
    /// </summary>
    public static async Task<ClientAgent> ConnectAsync(ScalerAddress address, ClientOptions options, CancellationToken cancellationToken)
    {
        var agent = new ClientAgent(address, options);
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stage = ConnectStage.Connecting;
        try
        {
            await agent._connections.Scheduler.WaitConnectedAsync(linked.Token).ConfigureAwait(false);
            stage = ConnectStage.Heartbeat;
            agent._heartbeat.NoteContact();
            agent._receiveLoop = agent.ReceiveLoopAsync();
            await agent._heartbeat.SendAsync(linked.Token).ConfigureAwait(false);
            agent._heartbeatLoop = agent._heartbeat.RunAsync(agent._stop.Token);
            var advertised = await agent._firstEcho.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            stage = ConnectStage.Storage;
            agent.ObjectStorageAddress = options.ObjectStorageAddress is { } overridden
                ? ScalerAddress.Parse(overridden)
                : ScalerAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"{advertised.Scheme}://{advertised.Host}:{advertised.Port}"));
            await agent._connections.ConnectStorageAsync(agent.ObjectStorageAddress, linked.Token).ConfigureAwait(false);
            await agent.StoreSerializerAsync(linked.Token).ConfigureAwait(false);
            agent._sendLoop = agent._sender.RunAsync(agent._queue.Reader, agent.OnSchedulerLost, agent._stopSending.Token);
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

            var transportReason = stage == ConnectStage.Connecting && timeout.IsCancellationRequested
                ? await ConnectProbe.DescribeAsync(address, TimeSpan.FromSeconds(1)).ConfigureAwait(false)
                : null;
            throw ConnectFailure.Describe(
                stage, e, timeout.IsCancellationRequested, transportReason ?? agent._connections.LastTransportError, options.ConnectTimeout, address, agent.ObjectStorageAddress);
        }
    }

    /// <summary>
    /// Packages the call (argument errors are thrown here, synchronously) and queues the task; returns its future.
    /// </summary>
    public ScalerFuture<T> Submit<T>(ShippableFunction function, string functionName, object?[] arguments, TaskSettings settings)
    {
        _queue.ThrowIfClosed();
        if (function.ResultType != typeof(void) && !typeof(T).IsAssignableFrom(function.ResultType))
        {
            throw new ArgumentException($"the function's result is a {function.ResultType.Name}, not a {typeof(T).Name}", nameof(function));
        }

        var call = function.Package(arguments);
        var taskId = TaskIds.New();
        var future = new ScalerFuture<T>(this, taskId, function);
        _queue.EnqueueTask(future, functionName, call, settings);
        return future;
    }

    /// <summary>
    /// Queues a <c>GraphTask</c> (every call of <paramref name="plan"/>; arguments that are other calls travel as task
    /// references), each carrying <paramref name="settings"/>, and returns the futures of the requested call keys and
    /// the entry of the graph's own ID.
    /// </summary>
    public (Dictionary<string, ScalerFuture<object?>> Futures, GraphUmbrella Graph) SubmitGraph(GraphPlan plan, TaskSettings settings)
    {
        _queue.ThrowIfClosed();
        var graphId = TaskIds.New();
        var taskIds = plan.Calls.ToDictionary(c => c.Node.Key, _ => TaskIds.New(), StringComparer.Ordinal);
        var futures = new Dictionary<string, ScalerFuture<object?>>(StringComparer.Ordinal);
        foreach (var key in plan.Keys.Where(taskIds.ContainsKey))
        {
            futures[key] = new ScalerFuture<object?>(this, taskIds[key], plan.Calls.First(c => c.Node.Key == key).Function, graphId);
        }

        var umbrella = new GraphUmbrella(graphId);
        _queue.EnqueueGraph(umbrella, futures.Values, plan, taskIds, settings);
        return (futures, umbrella);
    }

    /// <summary>Queues a <c>TaskCancel</c> behind the task's submission (nothing when the task is done).</summary>
    public void RequestCancel(byte[] taskId) => _queue.EnqueueCancel(taskId);

    /// <summary>Sends <c>ClientDisconnect(disconnect)</c> and closes; pending futures fail with <see cref="ScalerClientException"/>.</summary>
    public async Task DisconnectAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0 && _queue.ClosedError is null)
        {
            ClientLog.Disconnecting(_logger, Identity.Text, SchedulerAddress.ToString(), _pending.Count);
            await StopSendingAsync().ConfigureAwait(false);
            try
            {
                // No linger after it: closing the connector hands over what it still has queued (CloseFlushTimeout).
                await _connections.SendAsync(new ClientDisconnect { DisconnectType = DisconnectType.Disconnect }, _stop.Token).ConfigureAwait(false);
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
        if (Interlocked.Exchange(ref _closing, 1) != 0 || _queue.ClosedError is not null)
        {
            await DisposeAsync().ConfigureAwait(false);
            return;
        }

        Exception? failure = null;
        Volatile.Write(ref _shuttingDown, 1);
        await StopSendingAsync().ConfigureAwait(false);
        try
        {
            await _connections.SendAsync(new ClientDisconnect { DisconnectType = DisconnectType.Shutdown }, _stop.Token).ConfigureAwait(false);
            var accepted = await _shutdownAnswer.Task.WaitAsync(_options.ShutdownTimeout, _options.TimeProvider).ConfigureAwait(false);
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
        await _connections.DisposeAsync().ConfigureAwait(false);
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

    private async Task StoreSerializerAsync(CancellationToken cancellationToken)
    {
        var id = ObjectId.ForSerializer(Identity.Owner);
        var bytes = SerializerDescriptor.For(_options.Serializer).ToBytes();
        await _connections.Storage.SetAsync(id, bytes, cancellationToken).ConfigureAwait(false);
        await _connections.SendAsync(
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

    /// <summary>Objects that could not be stored are forgotten (a later submission stores them again) and their tasks failed.</summary>
    private void OnObjectsNotStored(IReadOnlyList<Submission> submissions, Exception error)
    {
        _queue.Forget(submissions);
        _outcomes.OnObjectsNotStored(submissions, error);
    }

    private async Task StopSendingAsync()
    {
        _queue.CompleteWriting();
        await _stopSending.CancelAsync().ConfigureAwait(false);
        await Quietly(_sendLoop).ConfigureAwait(false);
    }

    /// <summary>Ends the client once: fails every pending future with <paramref name="reason"/> and stops the loops.</summary>
    private void Close(Exception reason)
    {
        // A submission is either registered before this, and failed below, or sees the client closed and throws.
        if (!_queue.TryClose(reason))
        {
            return;
        }

        _firstEcho.TrySetException(reason);
        _shutdownAnswer.TrySetException(reason);
        _ = _firstEcho.Task.Exception;
        _ = _shutdownAnswer.Task.Exception;
        _pending.FailAll(reason);
        _early.Clear();
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
                frame = await _connections.Scheduler.ReceiveAsync(token).ConfigureAwait(false);
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

            _heartbeat.NoteContact();
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

    private void Dispatch(IMessage message)
    {
        switch (message)
        {
            case ClientHeartbeatEcho echo:
                _heartbeat.OnEcho();
                _firstEcho.TrySetResult(echo.ObjectStorageAddress);
                break;
            case TaskResult result:
                _outcomes.OnTaskResult(result);
                break;
            case TaskCancelConfirm confirm:
                _outcomes.OnCancelConfirm(confirm);
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

    private void OnSchedulerLost(string reason, Exception? error)
    {
        if (Volatile.Read(ref _shuttingDown) != 0)
        {
            // The reference scheduler may close right after answering a shutdown; that counts as accepted.
            _shutdownAnswer.TrySetResult(true);
            return;
        }

        if (_queue.ClosedError is not null || _closing != 0)
        {
            return;
        }

        ClientLog.SchedulerLost(_logger, SchedulerAddress.ToString(), reason);
        Close(new ScalerClientException(
            $"the client lost its connection to the scheduler at {SchedulerAddress} before the task finished: {reason}", error!));
    }
}
