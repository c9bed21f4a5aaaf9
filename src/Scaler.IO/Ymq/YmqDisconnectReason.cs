namespace Scaler.IO.Ymq;

/// <summary>Why a YMQ connection ended.</summary>
public enum YmqDisconnectReason
{
    /// <summary>The peer closed its side in an orderly way (TCP FIN): the reference treats this as "gone for good".</summary>
    ClosedByPeer,

    /// <summary>The connection broke (reset, timeout, I/O error): the reference expects the peer to come back.</summary>
    ConnectionLost,

    /// <summary>The peer sent bytes that are not YMQ (wrong magic, frame over the limit) and was dropped.</summary>
    ProtocolError,

    /// <summary>A newer connection from a peer with the same identity replaced this one.</summary>
    Replaced,

    /// <summary>This side closed the connection (<see cref="YmqBinder.DisconnectPeer"/> or dispose).</summary>
    ClosedLocally,
}
