using Scaler.Identity;

namespace Scaler.ObjectStorage.Store;

/// <summary>What a store operation finished for a requester.</summary>
internal enum StoreCompletionKind
{
    /// <summary>A get is answered: <see cref="StoreCompletion{TRequester}.Payload"/> holds the (possibly truncated) content.</summary>
    GetServed,

    /// <summary>A duplicate is done: <see cref="StoreCompletion{TRequester}.ObjectId"/> (the new ID) now names the source's content.</summary>
    DuplicateLinked,
}

/// <summary>
/// One request the store has finished, immediately or after waiting, to be answered by the caller.
/// </summary>
/// <param name="ObjectId">The ID the request named: the got ID, or the new ID of a duplicate.</param>
/// <param name="Payload">For <see cref="StoreCompletionKind.GetServed"/>: a slice of the shared content, not a copy.</param>
internal readonly record struct StoreCompletion<TRequester>(
    StoreCompletionKind Kind,
    TRequester Requester,
    ulong RequestId,
    ObjectId ObjectId,
    ReadOnlyMemory<byte> Payload);
