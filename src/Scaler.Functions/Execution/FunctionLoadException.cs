namespace Scaler.Functions;

/// <summary>
/// Run side: the task cannot be set up (bad serializer object, malformed function object, missing code, method not
/// found, argument that does not deserialize). It never leaves <see cref="TaskExecutor"/>; it becomes the task's
/// <see cref="RemoteError"/>, named <c>Scaler.Functions.FunctionLoadException</c>.
/// </summary>
internal sealed class FunctionLoadException : Exception
{
    public FunctionLoadException(string message)
        : base(message)
    {
    }

    public FunctionLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
