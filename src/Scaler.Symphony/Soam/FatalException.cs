namespace Scaler.Symphony.Soam;

/// <summary>Thrown by a service for an error retrying cannot fix: the task fails at once.</summary>
public class FatalException : SoamException
{
    public FatalException()
    {
    }

    public FatalException(string message)
        : base(message)
    {
    }

    public FatalException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
