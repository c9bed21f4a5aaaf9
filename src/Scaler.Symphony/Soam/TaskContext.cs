namespace Scaler.Symphony.Soam;

/// <summary>
/// One task inside <see cref="ServiceContainer.OnInvoke"/>, as SOAM's <c>TaskContext</c>; valid only during that
/// call. Input and output are one byte-array message each.
/// </summary>
public sealed class TaskContext
{
    private readonly ReadOnlyMemory<byte> _input;

    public TaskContext(string sessionId, string taskId, ReadOnlyMemory<byte> input)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(taskId);
        SessionId = sessionId;
        TaskId = taskId;
        _input = input;
    }

    public string SessionId { get; }

    public string TaskId { get; }

    /// <summary>True once <see cref="SetTaskOutput"/> was called.</summary>
    public bool HasOutput { get; private set; }

    /// <summary>What <see cref="SetTaskOutput"/> set; empty if nothing was set.</summary>
    public ReadOnlyMemory<byte> Output { get; private set; }

    public ReadOnlyMemory<byte> PopulateTaskInput() => _input;

    public void SetTaskOutput(ReadOnlyMemory<byte> output)
    {
        Output = output;
        HasOutput = true;
    }
}
