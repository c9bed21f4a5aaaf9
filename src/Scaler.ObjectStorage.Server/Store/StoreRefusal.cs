namespace Scaler.ObjectStorage.Store;

/// <summary>Why the store did not carry out a request (<see cref="None"/>: it did). A refused request changes nothing.</summary>
internal enum StoreRefusal
{
    /// <summary>Carried out (or parked, for a get or duplicate of a missing object).</summary>
    None,

    /// <summary>Storing it would take the store past <see cref="StoreLimits.MaxTotalBytes"/>.</summary>
    StoreFull,

    /// <summary>Parking it would pass <see cref="StoreLimits.MaxWaitingRequests"/>.</summary>
    TooManyWaitingRequests,

    /// <summary>Parking it would pass <see cref="StoreLimits.MaxWaitingRequestsPerRequester"/> for its requester.</summary>
    TooManyWaitingRequestsOfRequester,
}
