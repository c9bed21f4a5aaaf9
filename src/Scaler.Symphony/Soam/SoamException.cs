namespace Scaler.Symphony.Soam;

/// <summary>
/// The base of SOAM errors. On a failed task it wraps what the service threw (<see cref="EmbeddedException"/>);
/// that is null when the middleware itself failed the task.
/// </summary>
public class SoamException : Exception
{
    public SoamException()
    {
    }

    public SoamException(string message)
        : base(message)
    {
    }

    public SoamException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What the service threw, or null when SOAM failed the task on its own.</summary>
    public Exception? EmbeddedException => InnerException;
}
