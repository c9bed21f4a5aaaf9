namespace Scaler.Symphony.Soam;

/// <summary>How one task submitted through <see cref="SoamTaskSession"/> ended; delivered exactly once per task.</summary>
public sealed class SoamTaskCompletion
{
    private SoamTaskCompletion(string taskId, bool isSuccessful, ReadOnlyMemory<byte> output, SoamException? error)
    {
        TaskId = taskId;
        IsSuccessful = isSuccessful;
        Output = output;
        Error = error;
    }

    public string TaskId { get; }

    /// <summary>True when the service set an output; <see cref="Output"/> holds it.</summary>
    public bool IsSuccessful { get; }

    public ReadOnlyMemory<byte> Output { get; }

    /// <summary>
    /// Why the task failed: the task's own exception (retries exhausted, a fatal service error), or the session-wide
    /// exception that failed every task in flight, or the session being closed.
    /// </summary>
    public SoamException? Error { get; }

    internal static SoamTaskCompletion FromOutput(TaskOutputHandle output) => output.IsSuccessful
        ? new SoamTaskCompletion(output.Id, true, output.PopulateTaskOutput(), null)
        : new SoamTaskCompletion(output.Id, false, default, output.Exception ?? new SoamException($"task {output.Id} failed"));

    internal static SoamTaskCompletion Failed(string taskId, SoamException error) => new(taskId, false, default, error);
}
