namespace Scaler.IO.Ymq;

/// <summary>
/// A connector gave up: every attempt allowed by its retry policy failed. The message names the address, the number
/// of attempts and the last reason, e.g. "could not connect to tcp://127.0.0.1:1234 after 9 attempts: connection refused".
/// </summary>
public sealed class YmqConnectException : IOException
{
    public YmqConnectException(string message)
        : base(message)
    {
    }

    public YmqConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public YmqConnectException()
    {
    }

    /// <summary>How many connection attempts were made before giving up.</summary>
    public int Attempts { get; init; }
}
