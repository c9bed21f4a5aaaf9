namespace Scaler.IO.Threading;

/// <summary>
/// Marks a method (or local function) whose awaits must resume in the turn that completed them when it runs under
/// <see cref="TurnContext"/>: a loop that moved onto the context (<see cref="TurnContext.SwitchTo"/>), or library code
/// that awaits the transport with <c>ConfigureAwait(TurnContext.IsCurrent)</c>.
/// </summary>
/// <remarks>
/// Why: one <c>ConfigureAwait(false)</c> on such a path silently sends every later step of the chain to the thread pool
/// (a wake-up per hop, and bursts that no longer leave as one write) without failing any test. The repository's
/// analyzer (src/Scaler.Analyzers, rule SCALER0001) makes it a build error: in a marked method every
/// <c>ConfigureAwait</c> takes <c>TurnContext.IsCurrent</c> or <c>true</c>; and a method that uses either of the two
/// turn idioms without the mark is an error too (SCALER0002), so new links of the chain are checked from the start.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TurnChainAttribute : Attribute
{
}
