namespace Scaler.Symphony.Soam;

/// <summary>What <see cref="ISoamSession.SendTaskInput"/> returns, as SOAM's <c>TaskInputHandle</c>.</summary>
public sealed class TaskInputHandle
{
    public TaskInputHandle(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Id = id;
    }

    /// <summary>The task id; the same string as the matching <see cref="TaskOutputHandle.Id"/>.</summary>
    public string Id { get; }

    public override string ToString() => Id;
}
