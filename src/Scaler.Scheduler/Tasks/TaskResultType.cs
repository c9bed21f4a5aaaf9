namespace Scaler.Scheduler.Tasks;

/// <summary>How a task ended on its worker. Ordinals match <c>TaskResultType</c> in common.capnp.</summary>
internal enum TaskResultType
{
    Success = 0,
    Failed = 1,
    FailedWorkerDied = 2,
}
