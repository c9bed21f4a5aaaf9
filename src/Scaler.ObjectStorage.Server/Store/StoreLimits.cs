namespace Scaler.ObjectStorage.Store;

/// <summary>
/// What an <see cref="ObjectStore{TRequester}"/> may hold. A request that would pass a limit is refused
/// (<see cref="StoreRefusal"/>) and changes nothing.
/// </summary>
/// <param name="MaxTotalBytes">
/// Bytes the store may hold: the distinct contents (shared content counted once) plus
/// <see cref="BookkeepingBytesPerObjectId"/> for every object ID, so that empty objects cannot grow it without bound.
/// </param>
/// <param name="MaxWaitingRequests">Gets and duplicates waiting for an object that does not exist yet, over all requesters.</param>
/// <param name="MaxWaitingRequestsPerRequester">The same, for one requester.</param>
internal readonly record struct StoreLimits(long MaxTotalBytes, int MaxWaitingRequests, int MaxWaitingRequestsPerRequester)
{
    /// <summary>
    /// What one object ID costs the store beyond its content (its dictionary entries and content record, rounded up),
    /// counted against <see cref="MaxTotalBytes"/>.
    /// </summary>
    public const long BookkeepingBytesPerObjectId = 128;

    /// <summary>No limit at all (tests, and the store's default).</summary>
    public static StoreLimits None { get; } = new(long.MaxValue, int.MaxValue, int.MaxValue);
}
