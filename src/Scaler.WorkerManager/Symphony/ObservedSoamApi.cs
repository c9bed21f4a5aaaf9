using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Passes every call to the real SOAM API and, when a session is created, subscribes <see cref="SoamSessionObserver"/>
/// to its callback. <see cref="SoamTaskSession"/> subscribes its own handlers before it creates the session, so the
/// observer always runs right after them, on the same backend thread: after a failed task's completion it can tell a
/// task's own failure (an output) from a session-wide one (an exception).
/// </summary>
internal sealed class ObservedSoamApi(ISoamApi inner, SoamSessionObserver observer) : ISoamApi
{
    public string BackendName => inner.BackendName;

    public void Initialize() => inner.Initialize();

    public ISoamConnection Connect(string applicationName, ConnectionSecurityCallback securityCallback) =>
        new ObservedConnection(inner.Connect(applicationName, securityCallback), observer);

    public void Uninitialize() => inner.Uninitialize();

    /// <summary>The API outlives this wrapper (it is reused for the next session): nothing to release here.</summary>
    public void Dispose()
    {
    }

    private sealed class ObservedConnection(ISoamConnection inner, SoamSessionObserver observer) : ISoamConnection
    {
        public string Id => inner.Id;

        public ISoamSession CreateSession(SessionCreationAttributes attributes)
        {
            ArgumentNullException.ThrowIfNull(attributes);
            if (attributes.SessionCallback is { } callback)
            {
                callback.OnResponse += observer.AfterResponse;
                callback.OnException += observer.AfterException;
            }

            return inner.CreateSession(attributes);
        }

        public void Close() => inner.Close();

        public void Dispose() => inner.Dispose();
    }
}
