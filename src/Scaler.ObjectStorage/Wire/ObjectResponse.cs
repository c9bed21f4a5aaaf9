using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Wire;

/// <summary>
/// An <c>ObjectResponseHeader</c> frame as a value. A payload frame of <see cref="PayloadLength"/> bytes follows it
/// when <see cref="PayloadLength"/> is not zero (get, info and refused answers).
/// </summary>
/// <param name="MaxObjectBytes">
/// In answers to a request that accepts refusals: the largest object the server accepts (0: not said).
/// </param>
internal readonly record struct ObjectResponse(
    ObjectId ObjectId, ulong PayloadLength, ulong ResponseId, ObjectResponseType Type, uint MaxObjectBytes = 0);
