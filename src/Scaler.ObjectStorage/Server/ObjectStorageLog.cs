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
        "Object storage server {Identity} listening on {Address}, objects up to {MaxObjectBytes} bytes")]
    public static partial void Started(ILogger logger, string identity, string address, long maxObjectBytes);

    [LoggerMessage(6, LogLevel.Information,
        "Object storage server stopped: {ObjectIds} object IDs, {Contents} distinct contents, {Bytes} bytes, " +
        "{Waiting} requests still waiting")]
    public static partial void Stopped(ILogger logger, ulong objectIds, ulong contents, ulong bytes, int waiting);

    [LoggerMessage(7, LogLevel.Error,
        "Object storage receive loop failed")]
    public static partial void ReceiveLoopFailed(ILogger logger, Exception error);

    [LoggerMessage(8, LogLevel.Debug,
        "Answer to peer {Peer} dropped: it is not connected")]
    public static partial void AnswerToGonePeer(ILogger logger, string peer);

    [LoggerMessage(9, LogLevel.Error,
        "Unexpected error while handling a frame of peer {Peer}; closing that peer")]
    public static partial void FrameHandlingFailed(ILogger logger, string peer, Exception error);
}
