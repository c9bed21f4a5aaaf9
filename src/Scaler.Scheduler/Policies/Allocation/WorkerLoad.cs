using Scaler.Identity;

namespace Scaler.Scheduler.Policies.Allocation;

/// <summary>One worker's line of the allocation statistics: tasks sent to it and free queue slots left.</summary>
internal readonly record struct WorkerLoad(WorkerId Worker, int Sent, int Free);
