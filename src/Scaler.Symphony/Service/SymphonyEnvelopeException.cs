namespace Scaler.Symphony.Service;

/// <summary>A task or result envelope that is malformed, of an unknown version, or over a limit.</summary>
public sealed class SymphonyEnvelopeException : Exception
{
    public SymphonyEnvelopeException()
    {
    }

    public SymphonyEnvelopeException(string message)
        : base(message)
    {
    }

    public SymphonyEnvelopeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
