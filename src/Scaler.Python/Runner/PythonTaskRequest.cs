namespace Scaler.Python.Runner;

/// <summary>
/// One Scaler task made by a Python client, as <see cref="PythonTaskRunner.RunTasks"/> takes it: the task id (for
/// logs), the serializer and function objects with their object ids (the runner keeps them loaded by id), and the
/// argument objects in order.
/// </summary>
public sealed record PythonTaskRequest(
    ReadOnlyMemory<byte> TaskId,
    ReadOnlyMemory<byte> SerializerId,
    ReadOnlyMemory<byte> Serializer,
    ReadOnlyMemory<byte> FunctionId,
    ReadOnlyMemory<byte> Function,
    IReadOnlyList<ReadOnlyMemory<byte>> Arguments);
