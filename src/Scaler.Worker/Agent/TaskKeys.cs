namespace Scaler.Worker.Agent;

/// <summary>Task IDs as dictionary keys (lowercase hex of the ID bytes).</summary>
internal static class TaskKeys
{
    public static string Of(ReadOnlySpan<byte> taskId) => Convert.ToHexStringLower(taskId);
}
