namespace Scaler.IO.Ymq;

/// <summary>Something that happened on a <see cref="YmqBinder"/>; read them from <see cref="YmqBinder.Events"/>.</summary>
public abstract record YmqBinderEvent(PeerIdentity Peer);

/// <summary>A peer finished the handshake; frames can be sent to it.</summary>
public sealed record YmqPeerConnected(PeerIdentity Peer) : YmqBinderEvent(Peer)
{
    /// <summary>
    /// Who the peer proved to be with its certificate, on a <c>tls://</c> binder with <see cref="YmqOptions.TlsCaPath"/>;
    /// null otherwise (plain TCP or encryption-only TLS: the peer is anyone).
    /// </summary>
    public Tls.PeerCredentials? Credentials { get; init; }
}

/// <summary>A peer's connection ended. <paramref name="Error"/> holds the cause when there was one.</summary>
public sealed record YmqPeerDisconnected(PeerIdentity Peer, YmqDisconnectReason Reason, Exception? Error) : YmqBinderEvent(Peer);

/// <summary>A frame from a peer. The payload is a fresh array that now belongs to the reader.</summary>
public sealed record YmqFrameReceived(PeerIdentity Peer, ReadOnlyMemory<byte> Payload) : YmqBinderEvent(Peer);
