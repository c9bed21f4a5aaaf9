namespace Scaler.IO.Ymq;

/// <summary>
/// The bytes a peer sent are not a YMQ stream: a wrong magic, a frame longer than the configured limit, or a stream
/// that ended in the middle of a frame. The connection that produced them is closed; the message names the limit.
/// </summary>
public sealed class YmqProtocolException : IOException
{
    public YmqProtocolException(string message)
        : base(message)
    {
    }

    public YmqProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public YmqProtocolException()
    {
    }
}
