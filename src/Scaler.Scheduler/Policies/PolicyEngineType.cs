namespace Scaler.Scheduler.Policies;

/// <summary>The policy engine chosen with <c>-et/--policy-engine-type</c> (reference default: <c>simple</c>).</summary>
public enum PolicyEngineType
{
    /// <summary><c>simple</c>: one allocation policy plus one scaling policy, named in the policy content.</summary>
    Simple,

    /// <summary><c>waterfall_v1</c>: prioritised worker managers. Recognised so the error says "not supported yet".</summary>
    WaterfallV1,
}
