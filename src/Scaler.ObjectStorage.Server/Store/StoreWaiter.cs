using Scaler.Identity;

namespace Scaler.ObjectStorage.Store;

/// <summary>
/// A request parked until an object ID exists: a get of that ID, or a duplicate whose source is that ID.
/// </summary>
/// <param name="MaxLength">For a get: the most bytes the requester wants.</param>
/// <param name="NewId">For a duplicate: the ID to link to the source's content.</param>
internal readonly record struct StoreWaiter<TRequester>(
    StoreCompletionKind Kind,
    TRequester Requester,
    ulong RequestId,
    ulong MaxLength,
    ObjectId NewId);
