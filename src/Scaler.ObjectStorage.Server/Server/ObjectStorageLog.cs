using Microsoft.Extensions.Logging;

namespace Scaler.ObjectStorage.Server;

/// <summary>The object storage server's log lines.</summary>
internal static partial class ObjectStorageLog
{
    [LoggerMessage(1, LogLevel.Warning,
        "Closing peer {Peer}: {Reason}")]
    public static partial void ClosingPeer(ILogger logger, string peer, string reason);

    [LoggerMessage(2, LogLevel.Warning,
        "Dropping the {RequestType} request {RequestId} of peer {Peer}: expected a payload frame of {Expected} bytes, " +
        "got {Actual}; reading that frame as a new request header")]
    public static partial void DroppedPartialRequest(
        ILogger logger, string peer, string requestType, ulong requestId, ulong expected, int actual);

    [LoggerMessage(3, LogLevel.Information,
        "Peer {Peer} left before sending the payload of its {RequestType} request {RequestId}; request dropped")]
    public static partial void DroppedUnfinishedRequest(ILogger logger, string peer, string requestType, ulong requestId);

    [LoggerMessage(4, LogLevel.Debug,
        "Forgot {Count} waiting requests of peer {Peer}, which is gone")]
    public static partial void ForgotWaitingRequests(ILogger logger, string peer, int count);

    [LoggerMessage(5, LogLevel.Information,
        "Object storage server {Identity} listening on {Address}, objects up to {MaxObjectBytes} bytes, " +
        "{MaxTotalBytes} bytes in all")]
    public static partial void Started(ILogger logger, string identity, string address, long maxObjectBytes, long maxTotalBytes);

    [LoggerMessage(6, LogLevel.Information,
        "Object storage server stopped: {ObjectIds} object IDs, {Contents} distinct contents, {Bytes} bytes, " +
        "{Waiting} requests still waiting")]
    public static partial void Stopped(ILogger logger, ulong objectIds, ulong contents, ulong bytes, int waiting);

    [LoggerMessage(7, LogLevel.Error,
        "Object storage receive loop failed")]
    public static partial void ReceiveLoopFailed(ILogger logger, Exception error);


    [LoggerMessage(10, LogLevel.Warning,
        "Refused a request of peer {Peer}: {Reason} ({Unlogged} more refusals of this kind since the last line)")]
    public static partial void Refused(ILogger logger, string peer, string reason, int unlogged);

    [LoggerMessage(11, LogLevel.Information,
        "Peer {Peer} did not come back within {GraceSeconds} s of losing its connection: forgot its {Count} waiting requests")]
    public static partial void ForgotLostPeer(ILogger logger, string peer, int count, double graceSeconds);

    [LoggerMessage(12, LogLevel.Warning,
        "Closing peer {Peer}: it does not read its answers ({Queued} answers wait to be sent, the limit " +
        "MaxQueuedAnswersPerPeer)")]
    public static partial void AnswersOverflow(ILogger logger, string peer, int queued);

    [LoggerMessage(13, LogLevel.Information,
        "Returned memory to the system after the store shrank from {PeakBytes} to {HeldBytes} bytes: working set " +
        "{BeforeBytes} -> {AfterBytes} bytes, {Milliseconds:0} ms")]
    public static partial void MemoryReturned(
        ILogger logger, long peakBytes, long heldBytes, long beforeBytes, long afterBytes, double milliseconds);

    [LoggerMessage(14, LogLevel.Warning,
        "Refused peer {Peer} [{Holder}]: {What} (further refusals of this peer are not logged)")]
    public static partial void AccessRefused(ILogger logger, string peer, string holder, string what);

    [LoggerMessage(15, LogLevel.Information,
        "Object storage on {Address} requires certificates from {CaPath}: clients and admins touch only their own " +
        "objects, workers read and write any but delete none, the scheduler (server role) deletes (docs/security.md)")]
    public static partial void RequiresCertificates(ILogger logger, string address, string caPath);

    [LoggerMessage(16, LogLevel.Warning,
        "object storage on {Address} is OPEN ({Why}): any host that reaches it can read, overwrite and delete any " +
        "object. Set tls_cert, tls_key and tls_ca with a tls:// address to require certificates (docs/security.md)")]
    public static partial void Open(ILogger logger, string address, string why);

    [LoggerMessage(9, LogLevel.Error,
        "Unexpected error while handling a frame of peer {Peer}; closing that peer")]
    public static partial void FrameHandlingFailed(ILogger logger, string peer, Exception error);
}
