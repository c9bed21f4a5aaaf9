namespace Scaler.Symphony.Soam;

/// <summary>
/// One task to send, as SOAM's <c>TaskSubmissionAttributes</c>. The input is one byte-array message (the form that
/// works across languages and avoids .NET native serialization).
/// </summary>
public sealed class TaskSubmissionAttributes
{
    public TaskSubmissionAttributes(ReadOnlyMemory<byte> taskInput) => TaskInput = taskInput;

    public ReadOnlyMemory<byte> TaskInput { get; }

    /// <summary>Jump ahead of the session's pending tasks (running tasks are not preempted).</summary>
    public bool PriorityTask { get; init; }
}
