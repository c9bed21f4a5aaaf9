using Microsoft.Extensions.Logging;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// What object storage knows of each connected peer's certificate (kept from <see cref="YmqPeerConnected.Credentials"/>
/// until the connection ends), and the checks of <see cref="ObjectAccessPolicy"/> against it. Used only when the binder
/// requires certificates; driven by the server's receive loop only.
/// </summary>
internal sealed class PeerObjectAccess : IObjectAccessCheck<PeerIdentity>
{
    private readonly Dictionary<PeerIdentity, (PeerCredentials Credentials, ObjectOwner Own)> _peers = [];
    private readonly HashSet<PeerIdentity> _refusalLogged = [];
    private readonly ILogger _logger;

    public PeerObjectAccess(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>Peers whose credentials are kept (a monitoring figure for tests).</summary>
    public int KnownPeers => _peers.Count;

    /// <summary>
    /// Keeps the peer's credentials and its own owner prefix, the MD5 of its identity, computed once per connection.
    /// A peer without credentials is not kept, so every request of it is refused.
    /// </summary>
    public void OnConnected(YmqPeerConnected connected)
    {
        ArgumentNullException.ThrowIfNull(connected);
        if (connected.Credentials is { } credentials)
        {
            _peers[connected.Peer] = (credentials, ObjectOwner.FromClientIdentity(connected.Peer.Span));
        }
    }

    /// <summary>
    /// The connection ended: what it proved ends with it. A connection replaced by a newer one of the same identity (the
    /// binder admits only the same certificate for that) is followed by the new one's <see cref="OnConnected"/>.
    /// </summary>
    public void OnDisconnected(PeerIdentity peer)
    {
        _peers.Remove(peer);
        _refusalLogged.Remove(peer);
    }

    public ObjectAccessRefusal Check(
        PeerIdentity peer, ObjectRequestType type, ObjectId target, ObjectId source, ReadOnlySpan<byte> content, out string reason)
    {
        if (!_peers.TryGetValue(peer, out (PeerCredentials Credentials, ObjectOwner Own) known))
        {
            reason = ObjectAccessPolicy.Reason(ObjectAccessRefusal.NoCredentials, ScalerRoles.None, type, target, source);
            return ObjectAccessRefusal.NoCredentials;
        }

        ObjectAccessRefusal refusal = ObjectAccessPolicy.Check(known.Credentials.Roles, known.Own, type, target, source, content);
        reason = refusal == ObjectAccessRefusal.None
            ? string.Empty
            : ObjectAccessPolicy.Reason(refusal, known.Credentials.Roles, type, target, source);
        return refusal;
    }

    public void Refused(PeerIdentity peer, string what)
    {
        if (_refusalLogged.Add(peer))
        {
            string holder = _peers.TryGetValue(peer, out (PeerCredentials Credentials, ObjectOwner Own) known)
                ? known.Credentials.ToString()
                : "no certificate";
            ObjectStorageLog.AccessRefused(_logger, peer.ToString(), holder, what);
        }
    }
}
