using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Execution;

/// <summary>
/// How one task ended. Either the backend already stored the result object (<see cref="StoredResult"/>, as the native
/// processors do), or it hands the agent the bytes to store (<see cref="Payload"/>), or the worker failed the task
/// itself (<see cref="WorkerFailure"/>) and the agent writes the error in the format of the task's client.
/// </summary>
public sealed class TaskCompletion
{
    private TaskCompletion(
        byte[] taskId, TaskResultType resultType, ObjectId? storedResult, ReadOnlyMemory<byte> payload, byte[] metadata, WorkerFailure? failure = null)
    {
        TaskId = taskId;
        ResultType = resultType;
        StoredResult = storedResult;
        Payload = payload;
        Metadata = metadata;
        WorkerFailure = failure;
    }

    public byte[] TaskId { get; }

    public TaskResultType ResultType { get; }

    /// <summary>The result object, already in object storage under the task source's owner prefix.</summary>
    public ObjectId? StoredResult { get; }

    /// <summary>The result bytes the agent must store, when <see cref="StoredResult"/> is null.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The TaskResult metadata (the reference's profiling record), or empty.</summary>
    public byte[] Metadata { get; }

    /// <summary>Set when the worker failed the task itself; the agent turns it into the client's error format.</summary>
    public WorkerFailure? WorkerFailure { get; }

    /// <summary>The result is already stored under <paramref name="resultObject"/>.</summary>
    public static TaskCompletion Stored(byte[] taskId, TaskResultType resultType, ObjectId resultObject, byte[]? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return new TaskCompletion(taskId, resultType, resultObject, ReadOnlyMemory<byte>.Empty, metadata ?? []);
    }

    /// <summary>The agent stores <paramref name="payload"/> as the result object.</summary>
    public static TaskCompletion WithPayload(byte[] taskId, TaskResultType resultType, ReadOnlyMemory<byte> payload, byte[]? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return new TaskCompletion(taskId, resultType, null, payload, metadata ?? []);
    }

    /// <summary>The worker failed the task (its processor died, ...); the agent stores the error as the task's client reads it.</summary>
    public static TaskCompletion FailedByWorker(byte[] taskId, WorkerFailure failure, byte[]? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(failure);
        return new TaskCompletion(taskId, TaskResultType.Failed, null, ReadOnlyMemory<byte>.Empty, metadata ?? [], failure);
    }
}
