namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// A binder's view of one identified connection. <see cref="Gate"/> orders the frame events of this connection before
/// its <see cref="YmqPeerDisconnected"/> event: once <see cref="Retired"/> is set, no more events come from it.
/// </summary>
internal sealed class BinderPeer
{
    public BinderPeer(YmqConnection connection, SendQueue sendQueue)
    {
        Connection = connection;
        SendQueue = sendQueue;
    }

    public YmqConnection Connection { get; }

    public SendQueue SendQueue { get; }

    /// <summary>Who the peer proved to be (mutual TLS), or null.</summary>
    public Tls.PeerCredentials? Credentials { get; init; }

    public object Gate { get; } = new();

    public bool Retired { get; set; }
}
