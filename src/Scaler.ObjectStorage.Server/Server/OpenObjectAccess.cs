using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// Every peer may do everything: a server without a CA (plain <c>tcp://</c> or encryption-only TLS), as the reference's
/// object storage. It says so at start.
/// </summary>
internal sealed class OpenObjectAccess<TPeer> : IObjectAccessCheck<TPeer>
{
    public static OpenObjectAccess<TPeer> Instance { get; } = new();

    public ObjectAccessRefusal Check(
        TPeer peer, ObjectRequestType type, ObjectId target, ObjectId source, ReadOnlySpan<byte> content, out string reason)
    {
        reason = string.Empty;
        return ObjectAccessRefusal.None;
    }

    public void Refused(TPeer peer, string what)
    {
    }
}
