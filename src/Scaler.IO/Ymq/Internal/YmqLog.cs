using Microsoft.Extensions.Logging;

namespace Scaler.IO.Ymq.Internal;

/// <summary>Source-generated log messages of the YMQ transport.</summary>
internal static partial class YmqLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "YMQ binder '{Identity}' listening on {Address}")]
    public static partial void Listening(ILogger logger, string identity, string address);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "YMQ peer '{Peer}' connected from {Remote}")]
    public static partial void PeerConnected(ILogger logger, PeerIdentity peer, string remote);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "YMQ peer '{Peer}' disconnected: {Reason}")]
    public static partial void PeerDisconnected(ILogger logger, PeerIdentity peer, YmqDisconnectReason reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "YMQ peer '{Peer}' at {Remote} dropped: {Error}")]
    public static partial void PeerDropped(ILogger logger, PeerIdentity peer, string remote, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "YMQ handshake with {Remote} failed, connection dropped: {Error}")]
    public static partial void HandshakeFailed(ILogger logger, string remote, string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "YMQ peer '{Peer}' reconnected: the older connection is replaced")]
    public static partial void PeerReplaced(ILogger logger, PeerIdentity peer);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "YMQ binder on {Address}: accepting a connection failed {Count} time(s) since the last report: {Error}; accepting again after {BackoffMilliseconds} ms (the wait doubles up to 1 s while it fails)")]
    public static partial void AcceptFailing(ILogger logger, string address, int count, string error, double backoffMilliseconds);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "YMQ binder on {Address}: closed {Count} new connection(s) at once since the last report: {Reason}")]
    public static partial void ConnectionsRefused(ILogger logger, string address, int count, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "YMQ binder: serving a connection failed unexpectedly; it is closed")]
    public static partial void ConnectionFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "YMQ could not enable TCP keep-alive: {Error}")]
    public static partial void KeepAliveFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "YMQ connected to {Address} (peer '{Peer}')")]
    public static partial void Connected(ILogger logger, string address, PeerIdentity peer);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "YMQ connect attempt {Attempt} to {Address} failed: {Error}; retrying in {Delay}")]
    public static partial void ConnectAttemptFailed(ILogger logger, int attempt, string address, string error, TimeSpan delay);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "YMQ connector to {Address} gave up: {Error}")]
    public static partial void ConnectGaveUp(ILogger logger, string address, string error);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "YMQ connection to {Address} (peer '{Peer}') ended: {Reason}{Error}; reconnecting: {WillReconnect}")]
    public static partial void ConnectionEnded(ILogger logger, string address, PeerIdentity peer, YmqDisconnectReason reason, string error, bool willReconnect);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "YMQ connector to {Address}: TLS without YmqOptions.TlsCaPath, the server certificate is not verified")]
    public static partial void TlsNotVerified(ILogger logger, string address);

    [LoggerMessage(EventId = 15, Level = LogLevel.Error, Message = "YMQ connector StateChanged handler threw")]
    public static partial void StateHandlerFailed(ILogger logger, Exception error);
}
