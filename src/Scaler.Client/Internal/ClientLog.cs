using Microsoft.Extensions.Logging;

namespace Scaler.Internal;

internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Scaler client {Identity} connected to the scheduler at {Scheduler}, object storage at {ObjectStorage}")]
    public static partial void Connected(ILogger logger, string identity, string scheduler, string objectStorage);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Scaler client {Identity} disconnecting from {Scheduler} ({Pending} task(s) pending)")]
    public static partial void Disconnecting(ILogger logger, string identity, string scheduler, int pending);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Scaler client lost the scheduler at {Scheduler}: {Reason}")]
    public static partial void SchedulerLost(ILogger logger, string scheduler, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Cancel of task {TaskId} failed: the task keeps running and its result will arrive")]
    public static partial void CancelFailed(ILogger logger, string taskId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Task {TaskId} to cancel was not found by the scheduler")]
    public static partial void CancelNotFound(ILogger logger, string taskId);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Could not delete result object {ObjectId} from object storage")]
    public static partial void ResultDeleteFailed(ILogger logger, string objectId, Exception error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Ignoring a message from the scheduler that cannot be decoded")]
    public static partial void BadMessage(ILogger logger, Exception error);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Ignoring a {Kind} message from the scheduler")]
    public static partial void UnexpectedMessage(ILogger logger, string kind);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Task {TaskId} wrote to {Stream}: {Content}")]
    public static partial void TaskLog(ILogger logger, string taskId, string stream, string content);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Storing the objects of {Count} task(s) failed")]
    public static partial void UploadFailed(ILogger logger, int count, Exception error);
}
