namespace Scaler;

/// <summary>
/// The worker running the task died before it reported a result (the scheduler's <c>failedWorkerDied</c>). The task
/// itself may be fine: submitting it again is usually the right reaction.
/// </summary>
public sealed class WorkerDiedException : ScalerClientException
{
    public WorkerDiedException()
    {
    }

    public WorkerDiedException(string message)
        : base(message)
    {
    }

    public WorkerDiedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
