using Microsoft.Extensions.Logging;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;

namespace Scaler.Scheduler.Security;

/// <summary>
/// What the scheduler knows of each connected peer's certificate, and the once-per-peer log of what it refused. Driven
/// by the scheduler's loop only. When the binder does not verify certificates (plain TCP or encryption-only TLS),
/// <see cref="Enforcing"/> is false and nothing is checked: the cluster is open, as the reference's is.
/// </summary>
internal sealed class PeerAuthorizer
{
    private readonly Dictionary<PeerIdentity, PeerCredentials> _credentials = [];
    private readonly HashSet<PeerIdentity> _refusedOnce = [];
    private readonly ILogger _logger;

    public PeerAuthorizer(bool enforcing, ILogger logger)
    {
        Enforcing = enforcing;
        _logger = logger;
    }

    /// <summary>True when every peer proved its roles with a certificate, and messages are checked against them.</summary>
    public bool Enforcing { get; }

    public void OnConnected(YmqPeerConnected connected)
    {
        if (Enforcing && connected.Credentials is { } credentials)
        {
            _credentials[connected.Peer] = credentials;
        }
    }

    /// <summary>The peer's connection ended for good (a replaced connection is followed by the new one's connect).</summary>
    public void OnDisconnected(PeerIdentity peer)
    {
        _credentials.Remove(peer);
        _refusedOnce.Remove(peer);
    }

    public ScalerRoles RolesOf(PeerIdentity peer) =>
        _credentials.TryGetValue(peer, out var credentials) ? credentials.Roles : ScalerRoles.None;

    /// <summary>Logs a refusal, the first time only for each connected peer (a hostile peer must not flood the log).</summary>
    public void Refused(PeerIdentity peer, string what)
    {
        if (_refusedOnce.Add(peer))
        {
            var holder = _credentials.TryGetValue(peer, out var credentials) ? credentials.ToString() : "no certificate";
            SecurityLog.Refused(_logger, peer.ToString(), holder, what);
        }
    }
}
