namespace Scaler.Functions;

/// <summary>The function ran, but its result cannot be written; reported as the task's <see cref="RemoteError"/>.</summary>
internal sealed class ResultSerializationException : Exception
{
    public ResultSerializationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
