using Microsoft.Extensions.Logging;

namespace Scaler.ObjectStorage.Client;

internal static partial class ObjectStorageClientLog
{
    [LoggerMessage(101, LogLevel.Debug, "Object storage answer {ResponseId} ({ResponseType}) matches no waiting request; ignored")]
    public static partial void UnmatchedResponse(ILogger logger, ulong responseId, string responseType);

    [LoggerMessage(102, LogLevel.Warning,
        "Object storage answer {ResponseId} announced a {Expected}-byte payload but the next frame has {Actual} bytes; " +
        "reading it as a header")]
    public static partial void PayloadLengthMismatch(ILogger logger, ulong responseId, ulong expected, int actual);

    [LoggerMessage(103, LogLevel.Warning, "Unreadable frame from the object storage ({Length} bytes) ignored: {Reason}")]
    public static partial void MalformedResponse(ILogger logger, int length, string reason);

    [LoggerMessage(104, LogLevel.Warning,
        "Connection to the object storage at {Address} lost; {Count} requests in flight failed")]
    public static partial void ConnectionLost(ILogger logger, string address, int count);

    [LoggerMessage(105, LogLevel.Information, "Connection to the object storage at {Address} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string address, string reason);
}
