using System.Collections.Frozen;

namespace Scaler.Scheduler.Policies;

/// <summary>
/// Capabilities are name to value maps (<c>-1</c> means "unlimited", the only value the reference's allocation looks
/// at is the name). A task's capabilities are requirements; a worker's are offers.
/// </summary>
internal static class Capabilities
{
    public static readonly IReadOnlyDictionary<string, long> None = FrozenDictionary<string, long>.Empty;

    /// <summary>True when every capability name the task asks for is offered.</summary>
    public static bool Satisfies(IReadOnlySet<string> offered, IReadOnlyDictionary<string, long> required)
    {
        if (required.Count == 0)
        {
            return true;
        }

        foreach (var name in required.Keys)
        {
            if (!offered.Contains(name))
            {
                return false;
            }
        }

        return true;
    }
}
