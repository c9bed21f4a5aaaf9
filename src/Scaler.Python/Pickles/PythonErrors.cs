namespace Scaler.Python.Pickles;

/// <summary>
/// Failures a Scaler.NET process reports to a Python client, written as the pickled Python exception that client
/// loads (the reference client reads a failed task's result object with <c>pickle.loads</c>). Errors the reference
/// worker has a class for use that class, by name (<c>scaler.utility.exceptions</c> is part of every reference client
/// installation); the rest use Python's built-in exceptions. Nothing here needs Python.
/// </summary>
public static class PythonErrors
{
    private const string ReferenceExceptions = "scaler.utility.exceptions";

    /// <summary>The process running the task died: the reference's <c>ProcessorDiedError</c>.</summary>
    public static byte[] ProcessorDied(string message) => Named(ReferenceExceptions, "ProcessorDiedError", message);

    /// <summary>An object of the task could not be loaded: the reference's <c>DeserializeObjectError</c>.</summary>
    public static byte[] DeserializeObject(string message) => Named(ReferenceExceptions, "DeserializeObjectError", message);

    /// <summary>The task ran longer than the worker allows: Python's <c>TimeoutError</c>.</summary>
    public static byte[] Timeout(string message) => Named("builtins", "TimeoutError", message);

    /// <summary>Anything else (no interpreter, a Symphony failure, a worker-side fault): Python's <c>RuntimeError</c>.</summary>
    public static byte[] Runtime(string message) => Named("builtins", "RuntimeError", message);

    /// <summary>A pickle of <c>module.name(message)</c>: loading it imports <paramref name="module"/> and calls the class.</summary>
    public static byte[] Named(string module, string name, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(message);
        return new PickleWriter(64 + message.Length)
            .Global(module, name)
            .Text(message)
            .Tuple1()
            .Reduce()
            .ToArrayWithStop();
    }
}
