using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>An object to store before the task that uses it is sent, with the name the scheduler is told.</summary>
internal sealed record PendingUpload(ObjectId Id, ReadOnlyMemory<byte> Content, byte[] Name);
