namespace Scaler;

/// <summary>
/// A failure of the client itself rather than of a task: the scheduler could not be reached, the connection was lost,
/// the client was disconnected while a task was pending, or a task's objects could not be stored or read.
/// </summary>
public class ScalerClientException : Exception
{
    public ScalerClientException()
    {
    }

    public ScalerClientException(string message)
        : base(message)
    {
    }

    public ScalerClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
