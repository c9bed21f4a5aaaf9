using System.Text.Json;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.PythonClient;

/// <summary>A task's result object to read as the reference Python client would (<see cref="ReferenceClientObjects.DecodeAsync"/>).</summary>
public sealed record PythonResultObject(TaskResultType ResultType, byte[] Data);

/// <summary>
/// What the reference client makes of a result object. A success has <see cref="Repr"/> (and <see cref="ValueJson"/>
/// when the value is JSON-serializable); a failure has <see cref="ExceptionType"/> (<c>module.Qualname</c>),
/// <see cref="Message"/> and <see cref="Traceback"/> (empty when the exception carries none). When the object cannot
/// be loaded at all, which is what breaks a reference client, only <see cref="LoadError"/> (<c>Type: message</c>) is set.
/// </summary>
public sealed record DecodedPythonResult(
    string? Repr,
    JsonElement? ValueJson,
    string? ExceptionType,
    string? Message,
    string? Traceback,
    string? LoadError)
{
    public bool Loaded => LoadError is null;
}
