using Microsoft.Extensions.Logging;

namespace Scaler.Scheduler.Runtime;

/// <summary>The scheduler runtime's log lines.</summary>
internal static partial class SchedulerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler listening on {Address}, monitor on {MonitorAddress}, object storage {ObjectStorage} (advertised {Advertised})")]
    public static partial void Started(ILogger logger, string address, string monitorAddress, string objectStorage, string advertised);

    [LoggerMessage(Level = LogLevel.Information, Message = "started an embedded object storage server on {Address}")]
    public static partial void EmbeddedObjectStorage(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "port + 1 or + 2 of an ephemeral bind port was taken (attempt {Attempt}); drawing another port")]
    public static partial void DerivedPortTaken(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer} connected")]
    public static partial void PeerConnected(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dropped a malformed frame of {Length} bytes from {Peer}: {Reason}")]
    public static partial void MalformedFrame(ILogger logger, string peer, int length, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored unexpected message {Kind} from {Peer}")]
    public static partial void UnexpectedMessage(ILogger logger, string kind, string peer);

    [LoggerMessage(Level = LogLevel.Error, Message = "the scheduler loop failed on one input; it goes on")]
    public static partial void HandlerFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "client {Client} connected")]
    public static partial void ClientConnected(ILogger logger, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "client {Client} gone ({Reason}): {Tasks} tasks canceled, {Objects} objects released")]
    public static partial void ClientGone(ILogger logger, string client, string reason, int tasks, int objects);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker {Worker} connected with queue size {QueueSize}")]
    public static partial void WorkerConnected(ILogger logger, string worker, int queueSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker {Worker} gone ({Reason}), {Requeued} tasks requeued")]
    public static partial void WorkerGone(ILogger logger, string worker, string reason, int requeued);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker manager {Manager} connected")]
    public static partial void WorkerManagerConnected(ILogger logger, string manager);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker manager {Manager} gone ({Reason})")]
    public static partial void WorkerManagerGone(ILogger logger, string manager, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "worker manager {Manager} refused: id {ManagerId} is already used by another connection")]
    public static partial void DuplicateWorkerManager(ILogger logger, string manager, string managerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "asking worker manager {Manager} for a task concurrency of {Desired}")]
    public static partial void DesiredConcurrency(ILogger logger, string manager, int desired);

    [LoggerMessage(Level = LogLevel.Warning, Message = "shutdown requested by {Client} refused: the scheduler is protected")]
    public static partial void ShutdownRefused(ILogger logger, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "shutdown requested by {Client}: stopping workers and the scheduler")]
    public static partial void ShutdownAccepted(ILogger logger, string client);

    [LoggerMessage(Level = LogLevel.Error, Message = "graph task {GraphTask} refused ({Reason}): every node and the graph answered canceled")]
    public static partial void GraphTaskRefused(ILogger logger, string graphTask, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "task {Task} submitted twice; the second one is ignored")]
    public static partial void DuplicateTask(ILogger logger, string task);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ignored a {What} for task {Task} from {Peer}, which does not hold it")]
    public static partial void StaleAnswer(ILogger logger, string what, string task, string peer);

    [LoggerMessage(Level = LogLevel.Error, Message = "object creation from {Peer} for unknown client {Client} ignored")]
    public static partial void ObjectForUnknownClient(ILogger logger, string peer, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored an object id of {Length} bytes from {Peer}")]
    public static partial void BadObjectId(ILogger logger, string peer, int length);

    [LoggerMessage(Level = LogLevel.Debug, Message = "load balancing: {Count} tasks asked to move")]
    public static partial void Balanced(ILogger logger, int count);



    [LoggerMessage(Level = LogLevel.Warning, Message = "{Peer} left {Queued} frames unread (BinderOutbox.MaxQueuedFramesPerPeer): it is not reading and is disconnected")]
    public static partial void OutboxOverflow(ILogger logger, string peer, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "outgoing frames not flushed within {Milliseconds} ms; dropped")]
    public static partial void FlushTimedOut(ILogger logger, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "deleting {Count} objects from object storage failed")]
    public static partial void DeleteFailed(ILogger logger, int count, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopping {What} took longer than {Milliseconds} ms; abandoned")]
    public static partial void StopTimedOut(ILogger logger, string what, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "--max-number-of-tasks-waiting {Limit} is accepted but, as in the reference, not enforced")]
    public static partial void MaxTasksWaitingIgnored(ILogger logger, int limit);
}
