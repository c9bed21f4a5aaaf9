namespace Scaler.Symphony.Local;

/// <summary>A <c>&lt;SessionTypes&gt;&lt;Type&gt;</c> of a local application profile.</summary>
public sealed record LocalSessionType
{
    public LocalSessionType(string name, int taskRetryLimit)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(taskRetryLimit);
        Name = name;
        TaskRetryLimit = taskRetryLimit;
    }

    public string Name { get; }

    /// <summary>How many times a task is retried after a failure exception or an instance crash (attempts = 1 + this).</summary>
    public int TaskRetryLimit { get; }

    /// <summary>Abort the whole session when one task fails for good (SOAM's <c>abortSessionIfTaskFail</c>).</summary>
    public bool AbortSessionIfTaskFail { get; init; }
}
