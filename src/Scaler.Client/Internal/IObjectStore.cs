using Scaler.IO.Addressing;
using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>
/// The object storage operations the client's parts use: <see cref="ObjectStorageLink"/> in the client, a fake in tests
/// (so uploads and result gets can be tested without a server).
/// </summary>
internal interface IObjectStore
{
    /// <summary>Where the objects are, for error messages.</summary>
    ScalerAddress? Address { get; }

    Task SetAsync(ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>The object's content; waits in object storage until it exists.</summary>
    Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(ObjectId id, CancellationToken cancellationToken);
}
