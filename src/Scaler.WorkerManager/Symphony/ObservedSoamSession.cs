using Scaler.Symphony.Local;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Symphony;

/// <summary>One open SOAM session of the backend, with the observer that sorts its failed completions.</summary>
internal sealed record ObservedSoamSession(SoamTaskSession Session, SoamSessionObserver Observer)
{
    /// <summary>
    /// Whether sending a task into this session may block on the network: IBM's API talks to the session manager;
    /// the local engine only writes to an idle instance's pipe (and starts an instance when it has too few).
    /// </summary>
    public bool SubmitMayBlock { get; } = Session.BackendName != LocalSoamApi.Name;
}
