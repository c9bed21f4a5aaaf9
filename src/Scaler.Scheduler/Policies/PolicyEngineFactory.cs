using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Policies.Scaling;

namespace Scaler.Scheduler.Policies;

/// <summary>Builds the allocation and scaling policies from <c>--policy-engine-type</c> and <c>--policy-content</c>.</summary>
internal static class PolicyEngineFactory
{
    /// <exception cref="PolicyContentException">The engine type or content is not valid.</exception>
    public static PolicyEngine Create(
        string engineType = PolicyContent.DefaultEngineType,
        string content = PolicyContent.DefaultContent) =>
        Create(PolicyContentParser.Parse(engineType, content));

    public static PolicyEngine Create(PolicyContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        IAllocationPolicy allocation = content.Allocation switch
        {
            AllocationPolicyKind.EvenLoad => new EvenLoadAllocationPolicy(),
            AllocationPolicyKind.Capability => new CapabilityAllocationPolicy(),
            _ => throw new PolicyContentException($"allocate policy {content.Allocation} has no implementation"),
        };
        IScalingPolicy scaling = content.Scaling switch
        {
            ScalingPolicyKind.No => new NoScalingPolicy(),
            ScalingPolicyKind.Vanilla => new VanillaScalingPolicy(),
            ScalingPolicyKind.Capability => new CapabilityScalingPolicy(),
            _ => throw new PolicyContentException($"scaling policy {content.Scaling} has no implementation"),
        };
        return new PolicyEngine(content, allocation, scaling);
    }
}
