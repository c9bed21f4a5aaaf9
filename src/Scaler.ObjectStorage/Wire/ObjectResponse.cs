using Scaler.ObjectStorage.Store;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Wire;

/// <summary>
/// An <c>ObjectResponseHeader</c> frame as a value. A payload frame of <see cref="PayloadLength"/> bytes follows it
/// when <see cref="PayloadLength"/> is not zero (get and info answers).
/// </summary>
internal readonly record struct ObjectResponse(
    ObjectId ObjectId, ulong PayloadLength, ulong ResponseId, ObjectResponseType Type);
