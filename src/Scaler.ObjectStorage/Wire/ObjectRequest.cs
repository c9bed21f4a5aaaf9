using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Wire;

/// <summary>
/// An <c>ObjectRequestHeader</c> frame, decoded into a value (no allocation). For set and duplicate requests the
/// payload follows in the next frame of the same peer and is <see cref="PayloadLength"/> bytes long; for a get,
/// <see cref="PayloadLength"/> is the most bytes the requester wants (<see cref="ulong.MaxValue"/>: all).
/// </summary>
/// <param name="AcceptsRefusal">
/// The requester reads a <see cref="ObjectResponseType.Refused"/> answer (Scaler.NET clients); a reference peer does not,
/// and is closed where another would be refused.
/// </param>
internal readonly record struct ObjectRequest(
    ObjectId ObjectId, ulong PayloadLength, ulong RequestId, ObjectRequestType Type, bool AcceptsRefusal = false)
{
    /// <summary>Whether a payload frame follows this header.</summary>
    public bool HasPayloadFrame => Type is ObjectRequestType.SetObject or ObjectRequestType.DuplicateObjectID;
}
