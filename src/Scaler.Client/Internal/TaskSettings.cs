using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>
/// A validated <see cref="TaskOptions"/> in wire form, made once per submitting call and shared by all its tasks: the
/// <c>capabilities</c> list (immutable, so every task's message may hold the same one) and the priority of the
/// <c>metadata</c> flags.
/// </summary>
internal sealed class TaskSettings(IReadOnlyList<TaskCapability> capabilities, int priority)
{
    /// <summary>What the reference client sends: no capabilities, priority 0.</summary>
    public static TaskSettings Default { get; } = new([], 0);

    public IReadOnlyList<TaskCapability> Capabilities { get; } = capabilities;

    public int Priority { get; } = priority;

    /// <summary>A task's <c>metadata</c>: no profiling, this priority, no stream output (6 bytes).</summary>
    public byte[] Metadata() => TaskFlags.Encode(profiling: false, priority: Priority, streamOutput: false);
}
