namespace Scaler.IO.Ymq;

/// <summary>
/// The connector's peer went away for good (it closed the connection and the connector does not reconnect, or
/// reconnecting failed). Thrown by <see cref="YmqConnector.ReceiveAsync"/> once every frame received before the close
/// has been read, and by <see cref="YmqConnector.SendAsync"/>.
/// </summary>
public sealed class YmqPeerClosedException : IOException
{
    public YmqPeerClosedException(string message)
        : base(message)
    {
    }

    public YmqPeerClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public YmqPeerClosedException()
    {
    }

    /// <summary>Why the last connection ended.</summary>
    public YmqDisconnectReason Reason { get; init; }
}
