using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.Protocol;
using Scaler.Protocol.Messages;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Security;
using Scaler.Scheduler.Tasks;
using Scaler.Scheduler.Tracking;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// The scheduler's state and message routing, driven by one loop (<see cref="Handle"/>), so nothing here needs a
/// lock. Peers are told apart by what they send: a client heartbeats with <c>ClientHeartbeat</c> (or submits
/// tasks), a worker with <c>WorkerHeartbeat</c>, a worker manager with <c>WorkerManagerHeartbeat</c>. Outgoing frames
/// go to <see cref="BinderOutbox"/> queues and never block the loop.
/// </summary>
internal sealed partial class SchedulerCore : ISchedulerEffects
{
    /// <summary>The capabilities of a task that asks for none (most): shared, never written.</summary>
    private static readonly IReadOnlyDictionary<string, long> NoCapabilities = new Dictionary<string, long>(StringComparer.Ordinal);

    private readonly SchedulerSettings _settings;
    private readonly BinderOutbox _outbox;
    private readonly BinderOutbox _monitor;
    private readonly Action<IReadOnlyList<ObjectId>> _deleteFromStorage;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PolicyEngine _policy;
    private readonly TaskManager _tasks;
    private readonly WorkerRegistry _workers;
    private readonly ClientRegistry _clients;
    private readonly ObjectTracker _objects;
    private readonly WorkerManagerTracker _managers;
    private readonly LoadBalanceGate _balanceGate;
    private readonly GraphTaskController _graphTasks;
    private readonly Dictionary<PeerIdentity, PeerRole> _roles = [];
    private readonly HashSet<PeerIdentity> _monitors = [];
    private readonly Dictionary<WorkerId, WorkerSeen> _workerSeen = [];
    private readonly MessageCounters _counters = new();
    private readonly ObjectStorageAddress _advertisedAddress;
    private readonly PeerAuthorizer _authorizer;

    public SchedulerCore(
        SchedulerSettings settings,
        PolicyEngine policy,
        BinderOutbox outbox,
        BinderOutbox monitor,
        Action<IReadOnlyList<ObjectId>> deleteFromStorage,
        TimeProvider time,
        ILogger logger,
        PeerAuthorizer? authorizer = null)
    {
        _authorizer = authorizer ?? new PeerAuthorizer(enforcing: false, logger);
        _settings = settings;
        _policy = policy;
        _outbox = outbox;
        _monitor = monitor;
        _deleteFromStorage = deleteFromStorage;
        _time = time;
        _logger = logger;
        _tasks = new TaskManager(policy.Allocation, this, time);
        _workers = new WorkerRegistry(_tasks, time, settings.WorkerTimeout);
        _clients = new ClientRegistry(_tasks, time, settings.ClientTimeout);
        _managers = new WorkerManagerTracker(time);
        _objects = new ObjectTracker(time, settings.ObjectRetention);
        _balanceGate = new LoadBalanceGate(settings.LoadBalanceTriggerTimes);
        _graphTasks = new GraphTaskController(this);
        var address = settings.AdvertisedObjectStorageAddress;
        _advertisedAddress = new ObjectStorageAddress
        {
            Host = address.Host,
            Port = checked((ushort)address.Port),
            Scheme = address.IsSecure ? "tls" : "tcp",
        };
    }

    private enum PeerRole
    {
        Client,
        Worker,
        WorkerManager,
    }

    /// <summary>Set when a client asked the scheduler to shut down (and it is not protected): the loop ends.</summary>
    public bool StopRequested { get; private set; }

    internal TaskManager Tasks => _tasks;

    public void Handle(SchedulerInput input)
    {
        switch (input)
        {
            case BinderInput { Event: YmqFrameReceived frame }:
                OnFrame(frame.Peer, frame.Payload);
                break;
            case BinderInput { Event: YmqPeerDisconnected gone }:
                OnPeerDisconnected(gone);
                break;
            case BinderInput { Event: YmqPeerConnected connected }:
                _authorizer.OnConnected(connected);
                SchedulerLog.PeerConnected(_logger, connected.Peer.ToString());
                break;
            case MonitorInput { Event: YmqPeerConnected monitor }:
                _monitors.Add(monitor.Peer);
                break;
            case MonitorInput { Event: YmqPeerDisconnected { Reason: not YmqDisconnectReason.Replaced } monitor }:
                _monitors.Remove(monitor.Peer);
                _monitor.Forget(monitor.Peer);
                break;
            case TickInput { Kind: TickKind.Cleanup }:
                CleanUp();
                break;
            case TickInput { Kind: TickKind.Balance }:
                Balance();
                break;
            case TickInput { Kind: TickKind.Status }:
                PublishStatus();
                break;
        }

        RunGraphFollowUps();
        CollectGarbage();
    }

    private void OnFrame(PeerIdentity peer, ReadOnlyMemory<byte> payload)
    {
        IMessage message;
        try
        {
            message = MessageCodec.Decode(payload.Span);
        }
        catch (ProtocolException error)
        {
            SchedulerLog.MalformedFrame(_logger, peer.ToString(), payload.Length, error.Message);
            return;
        }

        _counters.Received(message.Kind);
        if (_authorizer.Enforcing && !Authorize(peer, message))
        {
            return;
        }

        var client = new ClientId(peer.Span);
        _clients.OnActivity(client);

        switch (message)
        {
            case ClientHeartbeat:
                OnClientHeartbeat(peer, client);
                break;
            case ClientDisconnect disconnect:
                OnClientDisconnect(peer, client, disconnect);
                break;
            case GraphTask graph:
                OnGraphTask(peer, graph);
                break;
            case TaskMessage task:
                OnTask(peer, task, payload);
                break;
            case TaskCancel cancel:
                OnTaskCancel(client, cancel);
                break;
            case TaskCancelConfirm confirm:
                OnTaskCancelConfirm(peer, confirm);
                break;
            case TaskResult result:
                OnTaskResult(peer, result);
                break;
            case TaskLog log:
                if (_tasks.TryGetTask(new TaskId(log.TaskId), out var logged))
                {
                    Send(logged.Client, log);
                }

                break;
            case WorkerHeartbeat heartbeat:
                OnWorkerHeartbeat(peer, heartbeat);
                break;
            case DisconnectRequest request:
                Send(peer, new DisconnectResponse { Worker = request.Worker });
                WorkerGone(new WorkerId(peer.Span), "disconnect request", died: false);
                break;
            case ObjectInstruction instruction:
                OnObjectInstruction(peer, instruction);
                break;
            case WorkerManagerHeartbeat managerHeartbeat:
                OnWorkerManagerHeartbeat(peer, managerHeartbeat);
                break;
            case InformationRequest:
                // The reference accepts it and does nothing yet (its handler is a TODO).
                break;
            default:
                SchedulerLog.UnexpectedMessage(_logger, message.Kind.ToString(), peer.ToString());
                break;
        }
    }

    private void OnPeerDisconnected(YmqPeerDisconnected gone)
    {
        // A replaced connection is the same peer reconnecting: it is not gone.
        if (gone.Reason == YmqDisconnectReason.Replaced)
        {
            return;
        }

        _authorizer.OnDisconnected(gone.Peer);
        _outbox.Forget(gone.Peer);
        if (!_roles.TryGetValue(gone.Peer, out var role))
        {
            return;
        }

        switch (role)
        {
            case PeerRole.Worker:
                WorkerGone(new WorkerId(gone.Peer.Span), "connection closed", died: true);
                break;
            case PeerRole.Client:
                ClientGone(new ClientId(gone.Peer.Span), "connection closed");
                break;
            case PeerRole.WorkerManager:
                _managers.Remove(gone.Peer);
                _roles.Remove(gone.Peer);
                SchedulerLog.WorkerManagerGone(_logger, gone.Peer.ToString(), "connection closed");
                break;
        }
    }

    private void OnClientHeartbeat(PeerIdentity peer, ClientId client)
    {
        if (_clients.OnHeartbeat(client))
        {
            SchedulerLog.ClientConnected(_logger, peer.ToString());
        }

        _roles[peer] = PeerRole.Client;
        Send(peer, new ClientHeartbeatEcho { ObjectStorageAddress = _advertisedAddress });
    }

    private void OnClientDisconnect(PeerIdentity peer, ClientId client, ClientDisconnect request)
    {
        if (request.DisconnectType == DisconnectType.Disconnect)
        {
            ClientGone(client, "client disconnect");
            return;
        }

        if (_settings.Protected)
        {
            SchedulerLog.ShutdownRefused(_logger, peer.ToString());
            Send(peer, new ClientShutdownResponse { Accepted = false });
            return;
        }

        SchedulerLog.ShutdownAccepted(_logger, peer.ToString());
        Send(peer, new ClientShutdownResponse { Accepted = true });

        // As the reference: every worker is told to shut down (ClientDisconnect shutdown) and forgotten.
        foreach (var worker in _roles.Where(pair => pair.Value == PeerRole.Worker).Select(pair => pair.Key).ToArray())
        {
            Send(worker, new ClientDisconnect { DisconnectType = DisconnectType.Shutdown });
            WorkerGone(new WorkerId(worker.Span), "client shutdown", died: false);
        }

        StopRequested = true;
    }

    private void OnTask(PeerIdentity peer, TaskMessage task, ReadOnlyMemory<byte> frame)
    {
        var client = task.Source.Length > 0 ? new ClientId(task.Source) : new ClientId(peer.Span);
        _roles.TryAdd(new PeerIdentity(client.Span), PeerRole.Client);

        // A client's task goes to its worker unchanged, so the frame it came in is what is kept and forwarded: one
        // array per queued task instead of the decoded message's objects (fewer objects for every collection to walk
        // while a million tasks wait), and no encoding when it is sent. The binder hands over whole arrays; a slice of
        // a larger buffer is copied rather than keeping the whole buffer alive.
        var whole = MemoryMarshal.TryGetArray(frame, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length;
        SubmitTask(client, task, whole ? segment.Array! : frame.ToArray());
    }

    /// <param name="frame">the encoded <paramref name="task"/>, which is what its worker is sent</param>
    private void SubmitTask(ClientId client, TaskMessage task, byte[] frame)
    {
        var id = new TaskId(task.TaskId);
        var capabilities = task.Capabilities.Count == 0 ? NoCapabilities : ToDictionary(task.Capabilities);
        if (!_tasks.Submit(new SchedulerTask(id, client, capabilities, frame)))
        {
            SchedulerLog.DuplicateTask(_logger, id.ToString());
        }
    }

    private void OnTaskCancel(ClientId client, TaskCancel cancel)
    {
        var task = new TaskId(cancel.TaskId);
        if (_graphTasks.Owns(task))
        {
            _graphTasks.Cancel(task);
            return;
        }

        _tasks.Cancel(client, task, cancel.Flags?.Force ?? false);
    }

    private void OnTaskCancelConfirm(PeerIdentity peer, TaskCancelConfirm confirm)
    {
        var type = confirm.CancelConfirmType;
        if (!Enum.IsDefined(type))
        {
            SchedulerLog.UnexpectedMessage(_logger, "TaskCancelConfirm with an unknown type", peer.ToString());
            return;
        }

        if (!_tasks.OnCancelConfirm(new WorkerId(peer.Span), new TaskId(confirm.TaskId), type))
        {
            SchedulerLog.StaleAnswer(_logger, "cancel confirm", Convert.ToHexString(confirm.TaskId), peer.ToString());
        }
    }

    private void OnTaskResult(PeerIdentity peer, TaskResult result)
    {
        var type = result.ResultType;
        if (!Enum.IsDefined(type))
        {
            SchedulerLog.UnexpectedMessage(_logger, "TaskResult with an unknown type", peer.ToString());
            return;
        }

        if (!_tasks.OnTaskResult(new WorkerId(peer.Span), new TaskId(result.TaskId), type, result))
        {
            SchedulerLog.StaleAnswer(_logger, "result", Convert.ToHexString(result.TaskId), peer.ToString());
        }
    }

    private void OnWorkerHeartbeat(PeerIdentity peer, WorkerHeartbeat heartbeat)
    {
        if (peer.IsEmpty)
        {
            // An empty id is the core's "no worker" value: such a peer cannot be told apart, so it gets no tasks.
            SchedulerLog.UnexpectedMessage(_logger, "WorkerHeartbeat from an empty identity", peer.ToString());
            return;
        }

        var worker = new WorkerId(peer.Span);
        var capabilities = ToDictionary(heartbeat.Capabilities);
        _workerSeen[worker] = new WorkerSeen(heartbeat, _time.GetTimestamp());
        _roles[peer] = PeerRole.Worker;
        var queueSize = (int)Math.Min(heartbeat.QueueSize, int.MaxValue);
        if (_workers.OnHeartbeat(worker, new WorkerManagerId(heartbeat.WorkerManagerID), capabilities, Math.Max(1, queueSize)))
        {
            SchedulerLog.WorkerConnected(_logger, peer.ToString(), queueSize);
            PublishMonitor(new StateWorker
            {
                WorkerId = peer.Memory.ToArray(),
                State = WorkerState.Connected,
                Capabilities = heartbeat.Capabilities,
            });
        }

        Send(peer, new WorkerHeartbeatEcho { ObjectStorageAddress = _advertisedAddress });
    }

    private void OnObjectInstruction(PeerIdentity peer, ObjectInstruction instruction)
    {
        var owner = new ClientId(instruction.ObjectUser);
        var metadata = instruction.ObjectMetadata ?? new ObjectMetadata();
        switch (instruction.InstructionType)
        {
            case ObjectInstructionType.Create:
                if (!_clients.IsConnected(owner))
                {
                    SchedulerLog.ObjectForUnknownClient(_logger, peer.ToString(), owner.ToString());
                    return;
                }

                for (var i = 0; i < metadata.ObjectIds.Count; i++)
                {
                    if (TryObjectId(peer, metadata.ObjectIds[i], out var id))
                    {
                        _objects.Add(owner, id, i < metadata.ObjectNames.Count ? metadata.ObjectNames[i] : []);
                    }
                }

                break;
            case ObjectInstructionType.Delete:
                foreach (var bytes in metadata.ObjectIds)
                {
                    if (TryObjectId(peer, bytes, out var id))
                    {
                        _objects.Delete(owner, id);
                    }
                }

                break;
            case ObjectInstructionType.Clear:
                _objects.ClearClient(owner);
                break;
            default:
                SchedulerLog.UnexpectedMessage(_logger, "ObjectInstruction with an unknown type", peer.ToString());
                break;
        }
    }

    private bool TryObjectId(PeerIdentity peer, byte[] bytes, out ObjectId id)
    {
        if (bytes.Length != ObjectId.ByteLength)
        {
            SchedulerLog.BadObjectId(_logger, peer.ToString(), bytes.Length);
            id = default;
            return false;
        }

        id = ObjectId.FromBytes(bytes);
        return true;
    }

    private void OnWorkerManagerHeartbeat(PeerIdentity peer, WorkerManagerHeartbeat heartbeat)
    {
        var record = _managers.OnHeartbeat(peer, heartbeat, out var isNew);
        if (record is null)
        {
            SchedulerLog.DuplicateWorkerManager(_logger, peer.ToString(), Convert.ToHexString(heartbeat.WorkerManagerID));
            return;
        }

        if (isNew)
        {
            SchedulerLog.WorkerManagerConnected(_logger, peer.ToString());
        }

        _roles[peer] = PeerRole.WorkerManager;
        Send(peer, new WorkerManagerHeartbeatEcho());

        // The reference's maxTaskConcurrency of -1 (unlimited) arrives as UInt32 0xFFFFFFFF.
        var max = heartbeat.MaxTaskConcurrency >= int.MaxValue ? -1 : (int)heartbeat.MaxTaskConcurrency;
        var commands = _policy.Scaling.GetScalingCommands(_workers.SnapshotFor(record.Id, max));
        var desiredTotal = 0;
        foreach (var command in commands)
        {
            var requests = command.Requests.Select(request => new WorkerManagerCommand.DesiredTaskConcurrencyRequest
            {
                TaskConcurrency = (uint)Math.Max(0, request.TaskConcurrency),
                Capabilities = ToCapabilities(request.Capabilities),
            }).ToArray();
            desiredTotal += command.Requests.Sum(request => request.TaskConcurrency);
            Send(peer, new WorkerManagerCommand { SetDesiredTaskConcurrencyRequests = requests });
        }

        if (commands.Count > 0 && (isNew || desiredTotal != record.LastDesiredTotal))
        {
            SchedulerLog.DesiredConcurrency(_logger, peer.ToString(), desiredTotal);
        }

        record.LastDesiredTotal = desiredTotal;
    }

    /// <param name="died">false for a worker that said goodbye: its tasks are requeued without counting a worker death</param>
    private void WorkerGone(WorkerId worker, string reason, bool died)
    {
        var peer = new PeerIdentity(worker.Span);
        _roles.Remove(peer);
        var known = _workerSeen.Remove(worker, out var seen);
        var requeued = _workers.Disconnect(worker, died);
        if (!known)
        {
            return;
        }

        SchedulerLog.WorkerGone(_logger, peer.ToString(), reason, requeued.Count);
        PublishMonitor(new StateWorker
        {
            WorkerId = peer.Memory.ToArray(),
            State = WorkerState.Disconnected,
            Capabilities = seen!.Heartbeat.Capabilities,
        });
    }

    private void ClientGone(ClientId client, string reason)
    {
        _roles.Remove(new PeerIdentity(client.Span));
        var tasks = _clients.Disconnect(client);
        _graphTasks.OnClientGone(client);
        var objects = _objects.ClientGone(client);
        SchedulerLog.ClientGone(_logger, client.ToString(), reason, tasks, objects);
    }

    private void CleanUp()
    {
        foreach (var client in _clients.RemoveTimedOut())
        {
            // The registry already canceled its tasks.
            _roles.Remove(new PeerIdentity(client.Span));
            _graphTasks.OnClientGone(client);
            var objects = _objects.ClientGone(client);
            SchedulerLog.ClientGone(_logger, client.ToString(), "heartbeat timeout", 0, objects);
        }

        foreach (var worker in _workers.RemoveTimedOut())
        {
            var peer = new PeerIdentity(worker.Span);
            _roles.Remove(peer);
            if (_workerSeen.Remove(worker, out var seen))
            {
                SchedulerLog.WorkerGone(_logger, peer.ToString(), "heartbeat timeout", 0);
                PublishMonitor(new StateWorker
                {
                    WorkerId = peer.Memory.ToArray(),
                    State = WorkerState.Disconnected,
                    Capabilities = seen.Heartbeat.Capabilities,
                });
            }
        }

        foreach (var manager in _managers.RemoveTimedOut(_settings.WorkerManagerTimeout))
        {
            _roles.Remove(manager);
            SchedulerLog.WorkerManagerGone(_logger, manager.ToString(), "heartbeat timeout");
        }
    }

    private void Balance()
    {
        var advice = _tasks.Allocation.Balance();
        if (!_balanceGate.ShouldAct(advice))
        {
            return;
        }

        foreach (var (worker, tasks) in advice)
        {
            PublishMonitor(new StateBalanceAdvice
            {
                WorkerId = worker.Span.ToArray(),
                TaskIds = tasks.Select(task => task.Span.ToArray()).ToArray(),
            });
        }

        var sent = _tasks.ApplyBalanceAdvice(advice);
        SchedulerLog.Balanced(_logger, sent);
    }

    /// <summary>Objects that lost their owner: workers drop their caches, object storage deletes them.</summary>
    private void CollectGarbage()
    {
        if (!_objects.HasGarbage)
        {
            return;
        }

        var garbage = _objects.TakeGarbage();
        var instruction = MessageCodec.Encode(new ObjectInstruction
        {
            InstructionType = ObjectInstructionType.Delete,
            ObjectUser = [],
            ObjectMetadata = new ObjectMetadata { ObjectIds = garbage.Select(id => id.ToBytes()).ToArray() },
        });
        foreach (var (peer, role) in _roles)
        {
            if (role == PeerRole.Worker)
            {
                _counters.Sent(MessageKind.ObjectInstruction);
                _outbox.Send(peer, instruction);
            }
        }

        _deleteFromStorage(garbage);
    }

    private void Send(ClientId client, IMessage message) => Send(new PeerIdentity(client.Span), message);

    private void SendFrame(PeerIdentity peer, MessageKind kind, byte[] frame)
    {
        _counters.Sent(kind);
        _outbox.Send(peer, frame);
    }

    private void Send(PeerIdentity peer, IMessage message)
    {
        _counters.Sent(message.Kind);
        _outbox.Send(peer, MessageCodec.Encode(message));
    }

    /// <summary>Sends a status message to every monitor; with no monitor connected, it is not even encoded.</summary>
    private void PublishMonitor(IMessage message)
    {
        if (_monitors.Count > 0)
        {
            _monitor.Broadcast(_monitors, MessageCodec.Encode(message));
        }
    }

    private static Dictionary<string, long> ToDictionary(IReadOnlyList<TaskCapability> capabilities)
    {
        var result = new Dictionary<string, long>(capabilities.Count, StringComparer.Ordinal);
        foreach (var capability in capabilities)
        {
            result[capability.Name] = capability.Value;
        }

        return result;
    }

    private static TaskCapability[] ToCapabilities(IReadOnlyDictionary<string, long> capabilities) =>
        capabilities.Select(pair => new TaskCapability { Name = pair.Key, Value = pair.Value }).ToArray();

    private sealed record WorkerSeen(WorkerHeartbeat Heartbeat, long LastSeen);
}
