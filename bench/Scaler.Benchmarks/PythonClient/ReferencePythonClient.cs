using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.PythonClient;

/// <summary>
/// Speaks to a scheduler and its object storage as the reference Python client does (github finos/opengris-scaler,
/// <c>scaler/client/</c>; the golden capture's <c>client-to-scheduler</c> and <c>client-to-object-storage</c>), so tests
/// and benchmarks can show that Python users of the reference client can use a Scaler.NET cluster. It carries objects
/// made by real cloudpickle (<see cref="ReferenceClientObjects"/>) and never looks inside them.
/// </summary>
/// <remarks>
/// What it does on the wire, as the reference does:
/// <list type="bullet">
/// <item>identity <c>Client|&lt;32 lowercase hex&gt;</c> (a uuid4) on both connections;</item>
/// <item>a <c>ClientHeartbeat</c> every 2 s while no echo is outstanding; the first <c>ClientHeartbeatEcho</c> names
/// the object storage;</item>
/// <item>objects are announced with one <c>ObjectInstruction(create)</c> and then set (<c>ObjectBuffer.commit_send_objects</c>):
/// the serializer under <see cref="ObjectId.ForSerializer"/> named <c>serializer</c>, functions and arguments under the
/// owner's prefix and a uuid4 tag, named by the function's <c>__name__</c> or <c>&lt;obj ObjectID(owner_hash=…, object_tag=…)&gt;</c>;</item>
/// <item>a task is <c>Task(taskId = uuid4, source = identity, metadata = task flags (6 bytes), funcObjectId, functionArgs =
/// [(objectID, id)…], capabilities)</c>; its <c>TaskResult</c> names one result object, which the client gets and then
/// deletes (a simple task's result belongs to its client);</item>
/// <item><see cref="DisposeAsync"/> sends <c>ClientDisconnect(disconnect)</c>.</item>
/// </list>
/// Every wait is bounded: connecting and storing by the timeout given to <see cref="ConnectAsync"/>, tasks by the
/// timeout given to each run. Everything it starts stops on <see cref="DisposeAsync"/>.
/// </remarks>
public sealed class ReferencePythonClient : IAsyncDisposable
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    private static readonly byte[] SerializerName = "serializer"u8.ToArray();

    private readonly YmqConnector _scheduler;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<UInt128, TaskCompletionSource<TaskResult>> _pending = new();
    private readonly TaskCompletionSource<Scaler.Protocol.Messages.ObjectStorageAddress> _firstEcho =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly CancellationTokenSource _stop = new();
    private ObjectStorageClient? _storage;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _heartbeatLoop = Task.CompletedTask;
    private volatile Exception? _lost;
    private long _heartbeatSentAt;
    private uint _latencyMicroseconds;
    private int _heartbeatsSent;
    private int _echoes;
    private long _cpuSampledAt = Stopwatch.GetTimestamp();
    private TimeSpan _cpuAtSample = CurrentCpu();
    private int _disposed;

    private ReferencePythonClient(ScalerAddress address, TimeSpan timeout)
    {
        SchedulerAddress = address;
        _timeout = timeout;
        Identity = "Client|" + Guid.NewGuid().ToString("N");
        IdentityBytes = Encoding.ASCII.GetBytes(Identity);
        Owner = ObjectOwner.FromClientIdentity(IdentityBytes);
        _scheduler = YmqConnector.Connect(address, Options(Identity), NullLogger.Instance);
    }

    /// <summary>The YMQ identity, also the task's <c>source</c> and the objects' user: <c>Client|&lt;32 hex&gt;</c>.</summary>
    public string Identity { get; }

    public byte[] IdentityBytes { get; }

    /// <summary>The first 16 bytes of every object ID of this client: MD5 of <see cref="Identity"/>.</summary>
    public ObjectOwner Owner { get; }

    public ScalerAddress SchedulerAddress { get; }

    /// <summary>The object storage named by the scheduler's first heartbeat echo.</summary>
    public ScalerAddress? ObjectStorageAddress { get; private set; }

    /// <summary>Heartbeats sent and echoes received so far.</summary>
    public (int Sent, int Echoed) Heartbeats => (Volatile.Read(ref _heartbeatsSent), Volatile.Read(ref _echoes));

    /// <summary>
    /// Connects to the scheduler, sends the first heartbeat, waits for its echo and connects the object storage it
    /// names, all within <paramref name="timeout"/> (which also bounds every later store).
    /// </summary>
    /// <exception cref="TimeoutException">Any step did not finish within <paramref name="timeout"/>.</exception>
    public static async Task<ReferencePythonClient> ConnectAsync(string schedulerAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = new ReferencePythonClient(ScalerAddress.Parse(schedulerAddress), timeout);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        var stage = "connecting to the scheduler";
        try
        {
            await client._scheduler.WaitConnectedAsync(bound.Token);
            client._receiveLoop = client.ReceiveLoopAsync();
            stage = "waiting for the first heartbeat echo";
            await client.SendHeartbeatAsync(bound.Token);
            client._heartbeatLoop = client.HeartbeatLoopAsync();
            var advertised = await client._firstEcho.Task.WaitAsync(bound.Token);
            client.ObjectStorageAddress = ScalerAddress.Parse(
                string.Create(CultureInfo.InvariantCulture, $"{advertised.Scheme}://{advertised.Host}:{advertised.Port}"));
            stage = $"connecting to the object storage at {client.ObjectStorageAddress}";
            client._storage = await ObjectStorageClient.ConnectAsync(
                client.ObjectStorageAddress, Options(client.Identity), NullLoggerFactory.Instance, bound.Token);
            return client;
        }
        catch (Exception e)
        {
            await client.DisposeAsync();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the reference client emulator gave up {stage} ({schedulerAddress}) after {timeout.TotalSeconds:0.#} s", e);
            }

            throw;
        }
    }

    /// <summary>
    /// Stores the client's serializer object as the reference's <c>ObjectBuffer</c> does when it starts: announced as
    /// type <c>serializer</c>, name <c>serializer</c>, under <see cref="ObjectId.ForSerializer"/>.
    /// </summary>
    public async Task<byte[]> StoreSerializerAsync(ReadOnlyMemory<byte> serializerObject, CancellationToken cancellationToken)
    {
        var id = ObjectId.ForSerializer(Owner);
        await CommitAsync([(id, ObjectContentType.Serializer, SerializerName, serializerObject)], cancellationToken);
        return id.ToBytes();
    }

    /// <summary>
    /// Stores one function or argument object under a new object ID and returns the ID. <paramref name="name"/> is a
    /// function's <c>__name__</c>; null names it as the reference names arguments (<see cref="ArgumentObjectName"/>).
    /// </summary>
    public async Task<byte[]> StoreObjectAsync(ReadOnlyMemory<byte> content, string? name, CancellationToken cancellationToken) =>
        (await StoreObjectsAsync([(content, name)], cancellationToken))[0];

    /// <summary>
    /// Stores several objects as one commit of the reference (one <c>ObjectInstruction</c> for all, then their sets),
    /// as a <c>map</c> stores its function and every argument; returns their IDs in order.
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> StoreObjectsAsync(
        IReadOnlyList<(ReadOnlyMemory<byte> Content, string? Name)> objects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var entries = new List<(ObjectId, ObjectContentType, byte[], ReadOnlyMemory<byte>)>(objects.Count);
        foreach (var (content, name) in objects)
        {
            var id = ObjectId.Create(Owner, NewUuid4());
            entries.Add((id, ObjectContentType.Object, Encoding.UTF8.GetBytes(name ?? ArgumentObjectName(id)), content));
        }

        await CommitAsync(entries, cancellationToken);
        return entries.Select(e => e.Item1.ToBytes()).ToArray();
    }

    /// <summary>Submits one task and waits (at most <paramref name="timeout"/>) for its result and its result object.</summary>
    /// <exception cref="TimeoutException">No result (or result object) within <paramref name="timeout"/>.</exception>
    public async Task<ReferenceTaskResult> RunAsync(
        byte[] functionId,
        IReadOnlyList<byte[]> argumentIds,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, long>? capabilities = null,
        int priority = 0) =>
        (await RunManyAsync(functionId, [argumentIds], timeout, cancellationToken, capabilities, priority))[0];

    /// <summary>
    /// As the reference client's <c>map(function, ...)</c>: stores <paramref name="function"/>'s object and the
    /// arguments of every task of <paramref name="objects"/> that calls it (one commit per task), sends those tasks and
    /// gathers their results in order. The serializer must be stored first.
    /// </summary>
    public async Task<IReadOnlyList<ReferenceTaskResult>> MapAsync(PythonTaskObjects objects, string function, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var functionId = await StoreObjectAsync(objects.Functions[function], objects.FunctionNames[function], cancellationToken);
        var arguments = new List<IReadOnlyList<byte[]>>();
        foreach (var task in objects.Tasks.Where(t => t.Function == function))
        {
            arguments.Add(await StoreObjectsAsync(task.Arguments.Select(a => ((ReadOnlyMemory<byte>)a, (string?)null)).ToList(), cancellationToken));
        }

        return await RunManyAsync(functionId, arguments, timeout, cancellationToken);
    }

    /// <summary>
    /// Submits one task per entry of <paramref name="argumentIdsPerTask"/>, all at once (as the reference's
    /// <c>starmap</c>: every task after the objects), then gathers every result and result object, in order, within
    /// one bound of <paramref name="timeout"/> for the whole batch.
    /// </summary>
    /// <exception cref="TimeoutException">Some tasks had no result (or result object) within <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<ReferenceTaskResult>> RunManyAsync(
        byte[] functionId,
        IReadOnlyList<IReadOnlyList<byte[]>> argumentIdsPerTask,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, long>? capabilities = null,
        int priority = 0)
    {
        ArgumentNullException.ThrowIfNull(functionId);
        ArgumentNullException.ThrowIfNull(argumentIdsPerTask);
        ThrowIfUnusable();
        var metadata = TaskMetadata(priority);
        TaskCapability[] wanted = capabilities?.Select(c => new TaskCapability { Name = c.Key, Value = c.Value }).ToArray() ?? [];
        var tasks = new TaskMessage[argumentIdsPerTask.Count];
        var waits = new TaskCompletionSource<TaskResult>[tasks.Length];

        // Registered before anything is sent: a result can come back before the last task is out.
        for (var i = 0; i < tasks.Length; i++)
        {
            var taskId = NewUuid4Bytes();
            tasks[i] = TaskFor(taskId, IdentityBytes, metadata, functionId, argumentIdsPerTask[i], wanted);
            waits[i] = new TaskCompletionSource<TaskResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[Key(taskId)] = waits[i];
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        bound.CancelAfter(timeout);
        var gathered = new Task<ReferenceTaskResult>[tasks.Length];
        try
        {
            // Lost before the tasks were registered: nothing would fail them.
            if (_lost is { } lost)
            {
                throw Lost(lost);
            }

            foreach (var task in tasks)
            {
                await _scheduler.SendAsync(MessageCodec.Encode(task), bound.Token);
            }

            for (var i = 0; i < tasks.Length; i++)
            {
                gathered[i] = GatherAsync(tasks[i].TaskId, waits[i].Task, bound.Token);
            }

            return await Task.WhenAll(gathered);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_stop.IsCancellationRequested)
        {
            var first = Array.FindIndex(gathered, g => g is null || !g.IsCompletedSuccessfully);
            var missing = gathered.Count(g => g is null || !g.IsCompletedSuccessfully);
            throw new TimeoutException(
                $"{missing} of {tasks.Length} task(s) sent to {SchedulerAddress} had no result (or result object) within {timeout.TotalSeconds:0.#} s" +
                (first >= 0 ? $"; the first is task {Convert.ToHexStringLower(tasks[first].TaskId)}" : ""));
        }
        finally
        {
            foreach (var task in tasks)
            {
                _pending.TryRemove(Key(task.TaskId), out _);
            }
        }
    }

    /// <summary>The name the reference gives an argument object: <c>&lt;obj ObjectID(owner_hash=…, object_tag=…)&gt;</c>.</summary>
    public static string ArgumentObjectName(ObjectId id)
    {
        Span<byte> tag = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(tag, id.Tag);
        return $"<obj ObjectID(owner_hash={id.Owner}, object_tag={Convert.ToHexStringLower(tag)})>";
    }

    /// <summary>Sends <c>ClientDisconnect(disconnect)</c> (when still connected) and stops everything this client started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_lost is null && _scheduler.State == YmqConnectorState.Connected)
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _scheduler.SendAsync(MessageCodec.Encode(new ClientDisconnect { DisconnectType = DisconnectType.Disconnect }), bound.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Going away anyway; the scheduler drops a silent client after its timeout.
            }
        }

        await _stop.CancelAsync();
        await Quietly(_heartbeatLoop);
        await Quietly(_receiveLoop);
        var closed = new ObjectDisposedException(nameof(ReferencePythonClient));
        _firstEcho.TrySetException(closed);
        _ = _firstEcho.Task.Exception;
        FailPending(closed);
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }

        // Flushes the disconnect, bounded by YmqOptions.CloseFlushTimeout.
        await _scheduler.DisposeAsync();
        _stop.Dispose();
    }

    private static YmqOptions Options(string identity) => new()
    {
        Identity = identity,
        ConnectMaxRetries = null,
        ConnectRetryMaxDelay = TimeSpan.FromSeconds(2),
    };

    /// <summary>
    /// A task's <c>metadata</c>: the reference's <c>TaskFlags</c> (<c>utility/metadata/task_flags.py</c>, struct
    /// <c>!?i?</c>): no profiling, <paramref name="priority"/> (big-endian), no stream output; 6 zero bytes for priority 0.
    /// </summary>
    public static byte[] TaskMetadata(int priority)
    {
        var flags = new byte[6];
        BinaryPrimitives.WriteInt32BigEndian(flags.AsSpan(1, 4), priority);
        return flags;
    }

    /// <summary>A task as the reference client's <c>Client.__submit</c> makes it: every argument an object ID.</summary>
    public static TaskMessage TaskFor(
        byte[] taskId, byte[] identity, byte[] metadata, byte[] functionId, IReadOnlyList<byte[]> argumentIds, IReadOnlyList<TaskCapability> capabilities)
    {
        ArgumentNullException.ThrowIfNull(argumentIds);
        return new TaskMessage
        {
            TaskId = taskId,
            Source = identity,
            Metadata = metadata,
            FuncObjectId = functionId,
            FunctionArgs = argumentIds.Select(id => new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = id }).ToArray(),
            Capabilities = capabilities,
        };
    }

    /// <summary>The <c>ObjectInstruction(create)</c> of one commit of the reference's <c>ObjectBuffer</c>.</summary>
    public static ObjectInstruction CreateInstructionFor(byte[] identity, IReadOnlyList<(ObjectId Id, ObjectContentType Type, byte[] Name)> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        return new ObjectInstruction
        {
            InstructionType = ObjectInstructionType.Create,
            ObjectUser = identity,
            ObjectMetadata = new ObjectMetadata
            {
                ObjectIds = objects.Select(o => o.Id.ToBytes()).ToArray(),
                ObjectTypes = objects.Select(o => o.Type).ToArray(),
                ObjectNames = objects.Select(o => o.Name).ToArray(),
            },
        };
    }

    /// <summary>A version 4 UUID in RFC byte order, as Python's <c>uuid.uuid4().bytes</c> (the reference's task IDs and object tags).</summary>
    private static byte[] NewUuid4Bytes()
    {
        var bytes = new byte[16];
        Guid.NewGuid().TryWriteBytes(bytes, bigEndian: true, out _);
        return bytes;
    }

    private static UInt128 NewUuid4() => BinaryPrimitives.ReadUInt128BigEndian(NewUuid4Bytes());

    private static UInt128 Key(ReadOnlySpan<byte> taskId) =>
        taskId.Length == 16 ? BinaryPrimitives.ReadUInt128BigEndian(taskId) : UInt128.MaxValue;

    private static TimeSpan CurrentCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // The loops report their failures through _lost; here we only wait for them to end.
        }
    }

    /// <summary>One commit of the reference's <c>ObjectBuffer</c>: the instruction for all objects first, then every set.</summary>
    private async Task CommitAsync(
        List<(ObjectId Id, ObjectContentType Type, byte[] Name, ReadOnlyMemory<byte> Content)> objects, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        bound.CancelAfter(_timeout);
        try
        {
            var instruction = CreateInstructionFor(IdentityBytes, objects.Select(o => (o.Id, o.Type, o.Name)).ToArray());
            await _scheduler.SendAsync(MessageCodec.Encode(instruction), bound.Token);
            await Task.WhenAll(objects.Select(o => _storage!.SetAsync(o.Id, o.Content, bound.Token)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_stop.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"storing {objects.Count} object(s) in the object storage at {ObjectStorageAddress} took more than {_timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>A task's result message, then its result object: got, then deleted, as the reference's future does.</summary>
    private async Task<ReferenceTaskResult> GatherAsync(byte[] taskId, Task<TaskResult> result, CancellationToken cancellationToken)
    {
        var message = await result.WaitAsync(cancellationToken);
        if (message.ResultType is not (TaskResultType.Success or TaskResultType.Failed) ||
            message.Results.Count != 1 || message.Results[0].Length != ObjectId.ByteLength)
        {
            return new ReferenceTaskResult(taskId, message.ResultType, message.Metadata, null, null);
        }

        var id = ObjectId.FromBytes(message.Results[0]);
        var content = await _storage!.GetAsync(id, cancellationToken);
        await _storage.DeleteAsync(id, cancellationToken);
        return new ReferenceTaskResult(taskId, message.ResultType, message.Metadata, message.Results[0], content.ToArray());
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
                frame = await _scheduler.ReceiveAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                Lose(e);
                return;
            }

            IMessage message;
            try
            {
                message = MessageCodec.Decode(frame.Span);
            }
            catch (ProtocolException)
            {
                // The reference logs and skips a message it cannot read.
                continue;
            }

            switch (message)
            {
                case ClientHeartbeatEcho echo:
                    OnEcho(echo);
                    break;
                case TaskResult result when _pending.TryRemove(Key(result.TaskId), out var waiting):
                    waiting.TrySetResult(result);
                    break;
            }
        }
    }

    private void OnEcho(ClientHeartbeatEcho echo)
    {
        Interlocked.Increment(ref _echoes);
        var sentAt = Interlocked.Exchange(ref _heartbeatSentAt, 0);
        if (sentAt != 0)
        {
            _latencyMicroseconds = (uint)Math.Clamp(Stopwatch.GetElapsedTime(sentAt).TotalMicroseconds / 2, 0, uint.MaxValue);
        }

        _firstEcho.TrySetResult(echo.ObjectStorageAddress);
    }

    private async Task HeartbeatLoopAsync()
    {
        var token = _stop.Token;
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                // As the reference's ClientHeartbeatManager.routine: no new heartbeat while one waits for its echo.
                if (Volatile.Read(ref _heartbeatSentAt) == 0)
                {
                    await SendHeartbeatAsync(token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Closing.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Lose(e);
        }
    }

    private async Task SendHeartbeatAsync(CancellationToken cancellationToken)
    {
        // psutil's cpu_percent() * 10 since the previous heartbeat, and the resident set size, as the reference sends.
        var now = Stopwatch.GetTimestamp();
        var cpu = CurrentCpu();
        var wall = Stopwatch.GetElapsedTime(_cpuSampledAt, now);
        var perMille = wall > TimeSpan.Zero ? (cpu - _cpuAtSample).TotalMilliseconds * 1000 / wall.TotalMilliseconds : 0;
        (_cpuSampledAt, _cpuAtSample) = (now, cpu);
        var heartbeat = new ClientHeartbeat
        {
            Resource = new Resource { Cpu = (ushort)Math.Clamp(perMille, 0, ushort.MaxValue), Rss = (ulong)Math.Max(0, Environment.WorkingSet) },
            LatencyUS = _latencyMicroseconds,
        };
        Volatile.Write(ref _heartbeatSentAt, Stopwatch.GetTimestamp());
        await _scheduler.SendAsync(MessageCodec.Encode(heartbeat), cancellationToken);
        Interlocked.Increment(ref _heartbeatsSent);
    }

    private void Lose(Exception error)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _lost = error;
        _firstEcho.TrySetException(Lost(error));
        _ = _firstEcho.Task.Exception;
        FailPending(Lost(error));
    }

    private IOException Lost(Exception error) =>
        new($"the reference client emulator lost its connection to the scheduler at {SchedulerAddress}: {error.Message}", error);

    private void FailPending(Exception error)
    {
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var waiting))
            {
                waiting.TrySetException(error);
            }
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_lost is { } lost)
        {
            throw Lost(lost);
        }

        if (_storage is null)
        {
            throw new InvalidOperationException("not connected: use ConnectAsync");
        }
    }
}
