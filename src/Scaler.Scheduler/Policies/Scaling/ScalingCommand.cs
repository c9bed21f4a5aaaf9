namespace Scaler.Scheduler.Policies.Scaling;

/// <summary>
/// The <c>WorkerManagerCommand.setDesiredTaskConcurrencyRequests</c> the scheduler sends in answer to a worker
/// manager's heartbeat. The manager makes its worker count match; an empty list means "no opinion".
/// </summary>
internal sealed record ScalingCommand(IReadOnlyList<DesiredTaskConcurrency> Requests);
