using Scaler.Protocol.Messages;

namespace Scaler.WorkerManager.Common;

/// <summary>Reads a desired-concurrency command as the reference's worker managers do.</summary>
public static class DesiredConcurrency
{
    /// <summary>
    /// The sum of the requests whose capabilities are all offered by this manager with the same values (an empty set
    /// matches every manager); zero when nothing matches.
    /// </summary>
    public static long ForCapabilities(
        IEnumerable<WorkerManagerCommand.DesiredTaskConcurrencyRequest> requests, IReadOnlyDictionary<string, long> ownCapabilities)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(ownCapabilities);
        long total = 0;
        foreach (var request in requests)
        {
            if (request.Capabilities.All(c => ownCapabilities.TryGetValue(c.Name, out var v) && v == c.Value))
            {
                total += request.TaskConcurrency;
            }
        }

        return total;
    }

    /// <summary>How many units to start (positive) or stop (negative), the growth capped by <paramref name="max"/> (-1: none).</summary>
    public static long Delta(long desired, int current, int max)
    {
        var delta = desired - current;
        if (max != -1)
        {
            delta = Math.Min(delta, (long)max - current);
        }

        return delta;
    }
}
