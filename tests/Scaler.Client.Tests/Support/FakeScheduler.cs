using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests.Support;

/// <summary>
/// A scheduler stand-in: a YMQ binder speaking the client protocol with <see cref="MessageCodec"/>, a real
/// in-process object storage server, and a worker that runs each task for real (fetches serializer, function and
/// arguments from object storage, runs them with <see cref="TaskExecutor"/>, stores the result, answers TaskResult).
/// It records every message the client sends.
/// </summary>
internal sealed class FakeScheduler : IAsyncDisposable
{
    private readonly YmqBinder _binder;
    private readonly ObjectStorageServer _storage;
    private readonly ObjectStorageClient _workerStorage;
    private readonly TaskExecutor _executor = new(SerializerRegistry.CreateDefault(), new CodeCache());
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<IMessage> _received = new();
    private readonly ConcurrentDictionary<string, (PeerIdentity Peer, TaskMessage Task)> _held = new();
    private readonly ConcurrentQueue<(PeerIdentity Peer, TaskResult Result)> _withheld = new();
    private readonly SemaphoreSlim _messageArrived = new(0);
    private Task _loop = Task.CompletedTask;

    private FakeScheduler(YmqBinder binder, ObjectStorageServer storage, ObjectStorageClient workerStorage)
    {
        _binder = binder;
        _storage = storage;
        _workerStorage = workerStorage;
    }

    public string Address => _binder.LocalAddress.ToString();

    public ScalerAddress StorageAddress => _storage.LocalAddress;

    /// <summary>Tasks are kept queued (not run) until <see cref="ReleaseAsync"/>; a cancel of a held task is confirmed.</summary>
    public bool HoldTasks { get; set; }

    /// <summary>
    /// Results are stored as our workers do: a success under <see cref="ObjectId.ForTaskResult"/>, an error under
    /// <see cref="ObjectId.ForTaskError"/> (otherwise under a new ID, as the reference's).
    /// </summary>
    public bool NamesResultsByTask { get; set; }

    /// <summary>Results are stored, but their result messages wait for <see cref="SendWithheldResultsAsync"/>.</summary>
    public bool WithholdResultMessages { get; set; }

    /// <summary>Gets waiting in the fake's object storage for an object that does not exist yet.</summary>
    public int StorageWaitingRequests => _storage.WaitingRequests;

    /// <summary>Tasks are answered with failedWorkerDied.</summary>
    public bool WorkersDie { get; set; }

    /// <summary>When set, every task fails with this payload as its result object (e.g. a Python pickle).</summary>
    public byte[]? ForeignFailurePayload { get; set; }

    /// <summary>The answer to a shutdown request; null: no answer.</summary>
    public bool? ShutdownAccepted { get; set; } = true;

    /// <summary>Answer heartbeats (false: a peer that connects but never answers).</summary>
    public bool AnswerHeartbeats { get; set; } = true;

    public IReadOnlyList<IMessage> Received => _received.ToArray();

    public IEnumerable<T> ReceivedOf<T>() => _received.OfType<T>();

    public int HeldCount => _held.Count;

    public static async Task<FakeScheduler> StartAsync(CancellationToken cancellationToken)
    {
        var storage = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cancellationToken);
        var binder = await YmqBinder.BindAsync(
            ScalerAddress.Parse("tcp://127.0.0.1:0"), new YmqOptions { Identity = "1|scheduler|fake" }, NullLogger.Instance, cancellationToken);
        var workerStorage = await ObjectStorageClient.ConnectAsync(storage.LocalAddress, "Worker|FAKE|1|1", NullLoggerFactory.Instance, cancellationToken);
        var scheduler = new FakeScheduler(binder, storage, workerStorage);
        scheduler._loop = scheduler.RunAsync();
        return scheduler;
    }

    /// <summary>Reads an object as the worker sees it (waits until it exists).</summary>
    public async Task<ReadOnlyMemory<byte>> GetObjectAsync(ObjectId id, CancellationToken cancellationToken) =>
        await _workerStorage.GetAsync(id, cancellationToken);

    /// <summary>Waits until a recorded message matches.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = _received.OfType<T>().FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            await _messageArrived.WaitAsync(cancellationToken);
        }
    }

    public async Task WaitForHeldAsync(int count, CancellationToken cancellationToken)
    {
        while (_held.Count < count)
        {
            await _messageArrived.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops the object storage server (clients' stores then fail).</summary>
    public ValueTask StopStorageAsync() => _storage.DisposeAsync();

    /// <summary>Runs every held task now.</summary>
    public void ReleaseAll()
    {
        foreach (var key in _held.Keys)
        {
            if (_held.TryRemove(key, out var held))
            {
                _ = RunTaskAsync(held.Peer, held.Task);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        await _binder.DisposeAsync();
        await _workerStorage.DisposeAsync();
        await _storage.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (var e in _binder.Events.ReadAllAsync(_stop.Token))
        {
            if (e is not YmqFrameReceived frame)
            {
                continue;
            }

            var message = MessageCodec.Decode(frame.Payload.Span);
            _received.Enqueue(message);
            await HandleAsync(frame.Peer, message);
            _messageArrived.Release();
        }
    }

    private async Task HandleAsync(PeerIdentity peer, IMessage message)
    {
        switch (message)
        {
            case ClientHeartbeat when AnswerHeartbeats:
                await SendAsync(peer, new ClientHeartbeatEcho
                {
                    ObjectStorageAddress = new ObjectStorageAddress { Host = "127.0.0.1", Port = (ushort)_storage.LocalAddress.Port, Scheme = "tcp" },
                });
                break;
            case TaskMessage task when HoldTasks:
                _held[Convert.ToHexString(task.TaskId)] = (peer, task);
                break;
            case TaskMessage task:
                _ = RunTaskAsync(peer, task);
                break;
            case GraphTask graph:
                _ = RunGraphAsync(peer, graph);
                break;
            case TaskCancel cancel:
                var confirmed = _held.TryRemove(Convert.ToHexString(cancel.TaskId), out _);
                await SendAsync(peer, new TaskCancelConfirm
                {
                    TaskId = cancel.TaskId,
                    CancelConfirmType = confirmed ? TaskCancelConfirmType.Canceled : TaskCancelConfirmType.CancelFailed,
                });
                break;
            case ClientDisconnect { DisconnectType: DisconnectType.Shutdown } when ShutdownAccepted is { } accepted:
                await SendAsync(peer, new ClientShutdownResponse { Accepted = accepted });
                break;
        }
    }

    private async Task RunTaskAsync(PeerIdentity peer, TaskMessage task)
    {
        if (WorkersDie)
        {
            await SendAsync(peer, new TaskResult { TaskId = task.TaskId, ResultType = TaskResultType.FailedWorkerDied });
            return;
        }

        var (succeeded, resultId) = await ExecuteAsync(task);
        var result = new TaskResult
        {
            TaskId = task.TaskId,
            ResultType = succeeded ? TaskResultType.Success : TaskResultType.Failed,
            Results = [resultId.ToBytes()],
        };
        if (WithholdResultMessages)
        {
            _withheld.Enqueue((peer, result));
            _messageArrived.Release();
            return;
        }

        await SendAsync(peer, result);
    }

    /// <summary>Sends the result messages withheld so far.</summary>
    public async Task SendWithheldResultsAsync()
    {
        while (_withheld.TryDequeue(out var withheld))
        {
            await SendAsync(withheld.Peer, withheld.Result);
        }
    }

    public async Task WaitForWithheldAsync(int count, CancellationToken cancellationToken)
    {
        while (_withheld.Count < count)
        {
            await _messageArrived.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Runs a graph's calls in dependency order and answers each, as the scheduler does (targets or not); a call whose
    /// input failed is answered with that input's error object without running. Then answers the graph's own ID.
    /// </summary>
    private async Task RunGraphAsync(PeerIdentity peer, GraphTask graph)
    {
        var done = new Dictionary<string, (bool Succeeded, ObjectId Result)>();
        var remaining = graph.Graph.ToList();
        var allSucceeded = true;
        while (remaining.Count > 0)
        {
            var ready = remaining.First(t => t.FunctionArgs.All(a => a.Type == ArgumentType.ObjectID || done.ContainsKey(Convert.ToHexString(a.Data))));
            remaining.Remove(ready);
            var failedInput = ready.FunctionArgs.Where(a => a.Type == ArgumentType.Task).Select(a => done[Convert.ToHexString(a.Data)])
                .Where(r => !r.Succeeded).Select(r => (ObjectId?)r.Result).FirstOrDefault();
            var outcome = failedInput is { } failure
                ? (false, failure)
                : await ExecuteAsync(new TaskMessage
                {
                    TaskId = ready.TaskId,
                    Source = ready.Source,
                    FuncObjectId = ready.FuncObjectId,
                    FunctionArgs = ready.FunctionArgs.Select(a => a.Type == ArgumentType.Task
                        ? new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = done[Convert.ToHexString(a.Data)].Result.ToBytes() }
                        : a).ToArray(),
                });
            done[Convert.ToHexString(ready.TaskId)] = outcome;
            allSucceeded &= outcome.Item1;
            await SendAsync(peer, new TaskResult
            {
                TaskId = ready.TaskId,
                ResultType = outcome.Item1 ? TaskResultType.Success : TaskResultType.Failed,
                Results = [outcome.Item2.ToBytes()],
            });
        }

        await SendAsync(peer, new TaskResult { TaskId = graph.TaskId, ResultType = allSucceeded ? TaskResultType.Success : TaskResultType.Failed });
    }

    private async Task<(bool Succeeded, ObjectId Result)> ExecuteAsync(TaskMessage task)
    {
        var token = _stop.Token;
        var owner = ObjectOwner.FromClientIdentity(task.Source);
        if (ForeignFailurePayload is { } foreign)
        {
            var failedId = ObjectId.NewUnique(owner);
            await _workerStorage.SetAsync(failedId, foreign, token);
            return (false, failedId);
        }

        var serializer = await _workerStorage.GetAsync(ObjectId.ForSerializer(owner), token);
        var function = await _workerStorage.GetAsync(ObjectId.FromBytes(task.FuncObjectId), token);
        var arguments = new List<ReadOnlyMemory<byte>>();
        foreach (var argument in task.FunctionArgs)
        {
            arguments.Add(await _workerStorage.GetAsync(ObjectId.FromBytes(argument.Data), token));
        }

        var outcome = await _executor.ExecuteAsync(
            serializer, function, arguments,
            async (assembly, ct) => await _workerStorage.GetAsync(ObjectId.FromBytes(assembly.ObjectId()), ct),
            token);
        var resultId = NamesResultsByTask ? ObjectId.ForTaskOutcome(owner, task.TaskId, outcome.Succeeded) : ObjectId.NewUnique(owner);
        await _workerStorage.SetAsync(resultId, outcome.Payload, token);
        return (outcome.Succeeded, resultId);
    }

    private async Task SendAsync(PeerIdentity peer, IMessage message) =>
        await _binder.SendAsync(peer, MessageCodec.Encode(message), _stop.Token);
}
