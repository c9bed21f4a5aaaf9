namespace Scaler.Scheduler.Policies.Scaling;

/// <summary>
/// <c>scaling=capability</c>: tasks are grouped by the set of capability names they ask for; each group with tasks
/// gets one request for max(1, ceil(tasks / 5)) workers (capped by the manager's max task concurrency unless -1),
/// carrying the capabilities of the group's first task. Groups appear in the order their first task is seen.
/// </summary>
internal sealed class CapabilityScalingPolicy : IScalingPolicy
{
    public const int UpperTaskRatio = 5;

    public IReadOnlyList<ScalingCommand> GetScalingCommands(ScalingSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var groups = new List<(IReadOnlyDictionary<string, long> First, int Count)>();
        var groupOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var capabilities in snapshot.TaskCapabilities)
        {
            var key = string.Join('\0', capabilities.Keys.Order(StringComparer.Ordinal));
            if (groupOfKey.TryGetValue(key, out var index))
            {
                groups[index] = (groups[index].First, groups[index].Count + 1);
            }
            else
            {
                groupOfKey.Add(key, groups.Count);
                groups.Add((capabilities, 1));
            }
        }

        var requests = new List<DesiredTaskConcurrency>(groups.Count);
        foreach (var (first, count) in groups)
        {
            var desired = Math.Max(1, (count + UpperTaskRatio - 1) / UpperTaskRatio);
            requests.Add(new DesiredTaskConcurrency(first, snapshot.Clamp(desired)));
        }

        return [new ScalingCommand(requests)];
    }
}
