namespace Scaler.Benchmarks.PythonClient;

/// <summary>
/// The objects the reference Python client stores for some tasks, made by real cloudpickle
/// (<see cref="ReferenceClientObjects.BuildAsync"/>).
/// </summary>
/// <param name="Serializer">The client's serializer object: <c>DefaultSerializer()</c> pickled by reference (72 bytes).</param>
/// <param name="Functions">Each distinct function expression of the request, pickled once, by value.</param>
/// <param name="FunctionNames">Each function's <c>__name__</c>: the name the reference gives its object.</param>
/// <param name="Tasks">The request's tasks in order, each with its serialized arguments.</param>
public sealed record PythonTaskObjects(
    byte[] Serializer,
    IReadOnlyDictionary<string, byte[]> Functions,
    IReadOnlyDictionary<string, string> FunctionNames,
    IReadOnlyList<PythonCallObjects> Tasks);

/// <summary>One task of <see cref="PythonTaskObjects"/>: its function expression and its argument objects.</summary>
public sealed record PythonCallObjects(string Function, IReadOnlyList<byte[]> Arguments);
