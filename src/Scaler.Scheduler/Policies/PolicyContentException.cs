namespace Scaler.Scheduler.Policies;

/// <summary>The policy engine type or policy content is not valid; the message says what and what is accepted.</summary>
public sealed class PolicyContentException : Exception
{
    public PolicyContentException(string message)
        : base(message)
    {
    }

    public PolicyContentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PolicyContentException()
    {
    }
}
