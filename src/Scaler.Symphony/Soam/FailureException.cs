namespace Scaler.Symphony.Soam;

/// <summary>
/// Thrown by a service for a non-fatal error: the task is retried up to the session type's <c>taskRetryLimit</c>,
/// then fails.
/// </summary>
public class FailureException : SoamException
{
    public FailureException()
    {
    }

    public FailureException(string message)
        : base(message)
    {
    }

    public FailureException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
