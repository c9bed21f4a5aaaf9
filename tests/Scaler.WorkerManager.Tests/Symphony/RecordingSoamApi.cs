using Scaler.Symphony.Local;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>The local engine, recording the latest connection and session so tests can read its instrumentation.</summary>
internal sealed class RecordingSoamApi(LocalSoamApi inner) : ISoamApi
{
    private readonly Lock _gate = new();
    private LocalSoamConnection? _connection;
    private LocalSoamSession? _session;
    private int _sessionsCreated;

    public string BackendName => inner.BackendName;

    public LocalSoamEngine? Engine
    {
        get
        {
            lock (_gate)
            {
                return _connection?.Engine;
            }
        }
    }

    public LocalSoamSession? Session
    {
        get
        {
            lock (_gate)
            {
                return _session;
            }
        }
    }

    public int SessionsCreated => Volatile.Read(ref _sessionsCreated);

    public void Initialize() => inner.Initialize();

    public ISoamConnection Connect(string applicationName, ConnectionSecurityCallback securityCallback)
    {
        var connection = (LocalSoamConnection)inner.Connect(applicationName, securityCallback);
        lock (_gate)
        {
            _connection = connection;
        }

        return new Recorded(connection, this);
    }

    public void Uninitialize() => inner.Uninitialize();

    public void Dispose() => inner.Dispose();

    private sealed class Recorded(LocalSoamConnection connection, RecordingSoamApi owner) : ISoamConnection
    {
        public string Id => connection.Id;

        public ISoamSession CreateSession(SessionCreationAttributes attributes)
        {
            var session = (LocalSoamSession)connection.CreateSession(attributes);
            lock (owner._gate)
            {
                owner._session = session;
            }

            Interlocked.Increment(ref owner._sessionsCreated);
            return session;
        }

        public void Close() => connection.Close();

        public void Dispose() => connection.Dispose();
    }
}
