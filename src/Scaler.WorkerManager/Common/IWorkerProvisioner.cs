using Scaler.Protocol.Messages;

namespace Scaler.WorkerManager.Common;

/// <summary>What a worker manager type provides to the common runner: start/stop units to follow the scheduler.</summary>
public interface IWorkerProvisioner : IAsyncDisposable
{
    /// <summary>The scheduler's WorkerManagerCommand: how many task slots it wants, per capability set.</summary>
    Task SetDesiredTaskConcurrencyAsync(IReadOnlyList<WorkerManagerCommand.DesiredTaskConcurrencyRequest> requests, CancellationToken cancellationToken);

    /// <summary>Stops every unit this provisioner started.</summary>
    Task TerminateAsync(CancellationToken cancellationToken);
}
