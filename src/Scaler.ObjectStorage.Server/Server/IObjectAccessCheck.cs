using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// Decides whether a peer may make a request, before it touches the store; the request processor asks it for every
/// request. <see cref="OpenObjectAccess{TPeer}"/> allows everything (no certificates: the reference's behaviour);
/// <see cref="PeerObjectAccess"/> applies <see cref="ObjectAccessPolicy"/> to the roles of each peer's certificate.
/// </summary>
internal interface IObjectAccessCheck<in TPeer>
{
    /// <summary>
    /// Whether <paramref name="peer"/> may make a request of <paramref name="type"/> on <paramref name="target"/> (for a
    /// duplicate, from <paramref name="source"/>; for a set, storing <paramref name="content"/>), and the reason when not.
    /// </summary>
    ObjectAccessRefusal Check(
        TPeer peer, ObjectRequestType type, ObjectId target, ObjectId source, ReadOnlySpan<byte> content, out string reason);

    /// <summary>Logs a refusal; implementations log once per connected peer, so a hostile peer cannot flood the log.</summary>
    void Refused(TPeer peer, string what);
}
