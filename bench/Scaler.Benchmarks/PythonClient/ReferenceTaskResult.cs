using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.PythonClient;

/// <summary>
/// What the reference Python client learns of one task: the scheduler's <c>TaskResult</c> (type and metadata) and,
/// when it names a result object (success and failed do), that object's ID and bytes as read from object storage.
/// </summary>
public sealed record ReferenceTaskResult(
    byte[] TaskId,
    TaskResultType ResultType,
    byte[] Metadata,
    byte[]? ResultObjectId,
    byte[]? ResultObject);
