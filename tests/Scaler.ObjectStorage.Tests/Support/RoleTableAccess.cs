using System.Text;
using Scaler.IO.Tls;
using Scaler.Identity;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Support;

/// <summary>
/// The access check of a server with certificates, for peers named by strings: each peer's roles are given, its own
/// prefix is the MD5 of its name (as the server derives it from the identity), and refusals are logged once per peer.
/// </summary>
internal sealed class RoleTableAccess(IReadOnlyDictionary<string, ScalerRoles> roles) : IObjectAccessCheck<string>
{
    public List<(string Peer, string What)> Logged { get; } = [];

    public static ObjectOwner OwnerOf(string peer) => ObjectOwner.FromClientIdentity(Encoding.UTF8.GetBytes(peer));

    public ObjectAccessRefusal Check(
        string peer, ObjectRequestType type, ObjectId target, ObjectId source, ReadOnlySpan<byte> content, out string reason)
    {
        ScalerRoles held = roles.GetValueOrDefault(peer);
        ObjectAccessRefusal refusal = ObjectAccessPolicy.Check(held, OwnerOf(peer), type, target, source, content);
        reason = ObjectAccessPolicy.Reason(refusal, held, type, target, source);
        return refusal;
    }

    public void Refused(string peer, string what)
    {
        if (!Logged.Exists(l => l.Peer == peer))
        {
            Logged.Add((peer, what));
        }
    }
}
