using Scaler.ObjectStorage.Store;

namespace Scaler.ObjectStorage.Server;

/// <summary>The limits and clock an <see cref="ObjectRequestProcessor{TPeer}"/> works with.</summary>
/// <param name="MaxObjectBytes">Largest object a peer may set; announced to peers that accept refusals.</param>
/// <param name="StoreLimits">Bytes held and requests waiting.</param>
/// <param name="LostPeerGracePeriod">
/// How long the waiting requests of a peer whose connection broke are kept for it to come back under the same identity.
/// </param>
/// <param name="TimeProvider">Clock of the grace period and of the refusal log's interval.</param>
internal sealed record RequestProcessorSettings(
    long MaxObjectBytes, StoreLimits StoreLimits, TimeSpan LostPeerGracePeriod, TimeProvider TimeProvider)
{
    /// <summary>Only an object size limit (tests and the golden replays): nothing else is bounded.</summary>
    public static RequestProcessorSettings ObjectSizeOnly(long maxObjectBytes) =>
        new(maxObjectBytes, StoreLimits.None, Timeout.InfiniteTimeSpan, TimeProvider.System);
}
