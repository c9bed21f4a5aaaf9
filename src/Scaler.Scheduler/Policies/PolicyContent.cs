using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Policies.Scaling;

namespace Scaler.Scheduler.Policies;

/// <summary>A parsed, validated policy: engine type plus the allocation and scaling policies it names.</summary>
internal sealed record PolicyContent(
    PolicyEngineType EngineType,
    AllocationPolicyKind Allocation,
    ScalingPolicyKind Scaling)
{
    /// <summary>Reference defaults: <c>-et simple</c>, <c>-pc "allocate=even_load; scaling=vanilla"</c>.</summary>
    public const string DefaultEngineType = "simple";

    public const string DefaultContent = "allocate=even_load; scaling=vanilla";
}
