using Scaler.Identity;

namespace Scaler.Scheduler.Tests;

/// <summary>Short names for ids in tests.</summary>
internal static class Ids
{
    public static TaskId T(string name) => TaskId.FromString(name);

    public static WorkerId W(string name) => WorkerId.FromString(name);

    public static ClientId C(string name) => ClientId.FromString(name);

    public static TaskId[] Ts(params string[] names) => names.Select(T).ToArray();
}
