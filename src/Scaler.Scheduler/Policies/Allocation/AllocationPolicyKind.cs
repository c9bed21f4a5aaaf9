namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>The <c>allocate=</c> value of the policy content.</summary>
public enum AllocationPolicyKind
{
    /// <summary><c>even_load</c>: least-loaded worker first, capabilities ignored.</summary>
    EvenLoad,

    /// <summary><c>capability</c>: least-loaded worker among those offering every capability the task asks for.</summary>
    Capability,
}
