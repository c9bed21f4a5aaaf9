using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Policies.Scaling;

namespace Scaler.Scheduler.Policies;

/// <summary>
/// A parsed, validated policy: engine type plus the allocation and scaling policies it names. The scheduler takes it
/// parsed (<see cref="Runtime.SchedulerServerOptions.Policy"/>), so a bad policy is refused where its text is read.
/// </summary>
public sealed record PolicyContent(
    PolicyEngineType EngineType,
    AllocationPolicyKind Allocation,
    ScalingPolicyKind Scaling)
{
    /// <summary>Reference defaults: <c>-et simple</c>, <c>-pc "allocate=even_load; scaling=vanilla"</c>.</summary>
    public const string DefaultEngineType = "simple";

    public const string DefaultContent = "allocate=even_load; scaling=vanilla";

    /// <summary>The reference's default policy: even load, vanilla scaling.</summary>
    public static PolicyContent Default { get; } = Parse(DefaultEngineType, DefaultContent);

    /// <summary>Parses <c>--policy-engine-type</c> and <c>--policy-content</c>.</summary>
    /// <exception cref="PolicyContentException">Either is not valid; the message says what and what is accepted.</exception>
    public static PolicyContent Parse(string engineType, string content) => PolicyContentParser.Parse(engineType, content);
}
