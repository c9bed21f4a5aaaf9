namespace Scaler.Protocol;

/// <summary>
/// Raised when bytes from a peer do not form a valid message: a truncated segment table, a pointer out of bounds,
/// a list larger than the traversal limit, an unknown union tag. The message says what was wrong and where.
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(string message)
        : base(message)
    {
    }

    public ProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProtocolException()
    {
    }
}
