using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Policies.Scaling;

namespace Scaler.Scheduler.Policies;

/// <summary>The policy objects one scheduler runs with, built by <see cref="PolicyEngineFactory"/>.</summary>
internal sealed record PolicyEngine(PolicyContent Content, IAllocationPolicy Allocation, IScalingPolicy Scaling);
