namespace Scaler.Scheduler.Tasks;

/// <summary>A worker's (or the scheduler's) answer to a cancel. Ordinals match <c>TaskCancelConfirmType</c>.</summary>
internal enum TaskCancelConfirmType
{
    Canceled = 0,
    CancelFailed = 1,
    CancelNotFound = 2,
}
