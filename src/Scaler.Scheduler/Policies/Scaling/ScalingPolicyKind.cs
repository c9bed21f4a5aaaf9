namespace Scaler.Scheduler.Policies.Scaling;

/// <summary>The <c>scaling=</c> value of the policy content.</summary>
public enum ScalingPolicyKind
{
    /// <summary><c>no</c>: never asks a worker manager for anything.</summary>
    No,

    /// <summary><c>vanilla</c>: task-to-worker ratio with thresholds 1 and 10.</summary>
    Vanilla,

    /// <summary><c>capability</c>: one desired count per distinct set of task capabilities (ratio 5).</summary>
    Capability,
}
