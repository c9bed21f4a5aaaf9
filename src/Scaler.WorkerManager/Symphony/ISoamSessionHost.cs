using Scaler.Functions;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// What a <see cref="SoamSessionKeeper"/> asks of the backend it keeps sessions for. The keeper calls these outside its
/// own lock, on SOAM's callback threads or its reopen loop.
/// </summary>
internal interface ISoamSessionHost
{
    /// <summary>
    /// A lost session held these tasks: free their Symphony slots and return those still to run (a task cancelled or
    /// finished meanwhile is left out); they wait for a session again.
    /// </summary>
    IReadOnlyList<InFlightTask> Reclaim(IReadOnlyList<InFlightTask> lost);

    /// <summary>Sends a task that waited for a session (into the one now open).</summary>
    void Resend(InFlightTask task);

    /// <summary>A loss freed Symphony slots: tasks waiting for one may be sent.</summary>
    void SlotsFreed();

    /// <summary>A session opened: tasks waiting for a slot may be sent, and the agent may hand over more.</summary>
    void SessionOpened();

    /// <summary>A task's output arrived (a Scaler result, which may still say the task failed).</summary>
    void Completed(InFlightTask task, SoamTaskCompletion completion);

    /// <summary>Symphony failed the task itself (its retries ran out, a fatal error), not its session.</summary>
    void FailedInSymphony(InFlightTask task, SoamTaskCompletion completion, string sessionId);

    /// <summary>The task's session was lost too often: it fails with <paramref name="error"/>.</summary>
    void GiveUp(InFlightTask task, RemoteError error);
}
