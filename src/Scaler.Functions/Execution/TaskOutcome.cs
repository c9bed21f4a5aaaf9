namespace Scaler.Functions;

/// <summary>
/// What running a task produced: on success the result object (the value written with the function's result
/// type), on failure an error payload (<see cref="RemoteError"/> bytes); either way <see cref="Payload"/> is what to
/// store as the task's result object, with TaskResult type success or failed.
/// </summary>
public sealed class TaskOutcome
{
    private TaskOutcome(bool succeeded, byte[] payload, RemoteError? error)
    {
        Succeeded = succeeded;
        Payload = payload;
        Error = error;
    }

    public bool Succeeded { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The failure, for logging on the run side; null on success.</summary>
    public RemoteError? Error { get; }

    internal static TaskOutcome Success(byte[] result) => new(true, result, null);

    internal static TaskOutcome Failure(RemoteError error) => new(false, error.ToBytes(), error);
}
