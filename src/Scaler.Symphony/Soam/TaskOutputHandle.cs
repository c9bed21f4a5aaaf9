namespace Scaler.Symphony.Soam;

/// <summary>One finished task, as SOAM's <c>TaskOutputHandle</c>: either its output message or its exception.</summary>
public sealed class TaskOutputHandle
{
    private readonly ReadOnlyMemory<byte> _output;

    private TaskOutputHandle(string id, bool isSuccessful, ReadOnlyMemory<byte> output, SoamException? exception)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Id = id;
        IsSuccessful = isSuccessful;
        _output = output;
        Exception = exception;
    }

    public string Id { get; }

    public bool IsSuccessful { get; }

    /// <summary>
    /// Why the task failed; null when it succeeded. Its <see cref="SoamException.EmbeddedException"/> is what the
    /// service threw, or null when the middleware itself failed the task (for example retries ran out after crashes).
    /// </summary>
    public SoamException? Exception { get; }

    /// <summary>The output message; throws <see cref="SoamException"/> for a failed task, as SOAM does.</summary>
    public ReadOnlyMemory<byte> PopulateTaskOutput() => IsSuccessful
        ? _output
        : throw new SoamException($"task {Id} failed, it has no output: {Exception?.Message}", Exception);

    public static TaskOutputHandle Succeeded(string id, ReadOnlyMemory<byte> output) => new(id, true, output, null);

    public static TaskOutputHandle Failed(string id, SoamException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new TaskOutputHandle(id, false, default, exception);
    }
}
