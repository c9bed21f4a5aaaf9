namespace Scaler.Worker.Agent;

/// <summary>Exit codes of a worker, as the reference: 0 when told to stop, 1 when it gave up on its own.</summary>
public static class WorkerExitCodes
{
    /// <summary>Shut down on request, by the client, or the scheduler closed a connection that had worked.</summary>
    public const int Clean = 0;

    /// <summary>Never reached the scheduler, lost it past the death timeout, or the object storage failed.</summary>
    public const int Failed = 1;
}
