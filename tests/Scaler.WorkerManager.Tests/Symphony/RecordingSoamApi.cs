using Scaler.Symphony.Local;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// The local engine, recording the latest connection and session so tests can read its instrumentation, and what
/// crossed SOAM: whether each task input carried code bytes, and the kind of each Scaler result output.
/// </summary>
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

    /// <summary>Task inputs sent so far: true for an envelope that carried the bytes of every code assembly it names.</summary>
    public IReadOnlyList<bool> InputsCarryingCode
    {
        get
        {
            lock (_gate)
            {
                return [.. _inputsCarryingCode];
            }
        }
    }

    /// <summary>The kind of every Scaler result output delivered so far.</summary>
    public IReadOnlyList<SymphonyTaskResultKind> OutputKinds
    {
        get
        {
            lock (_gate)
            {
                return [.. _outputKinds];
            }
        }
    }

    private readonly List<bool> _inputsCarryingCode = [];
    private readonly List<SymphonyTaskResultKind> _outputKinds = [];

    private void RecordInput(ReadOnlyMemory<byte> input)
    {
        var envelope = SymphonyTaskEnvelope.Decode(input);
        lock (_gate)
        {
            _inputsCarryingCode.Add(envelope.CodeAssemblies.All(c => c.HasBytes));
        }
    }

    private void RecordOutput(TaskOutputHandle output)
    {
        if (!output.IsSuccessful)
        {
            return;
        }

        var kind = SymphonyTaskResult.Decode(output.PopulateTaskOutput()).Kind;
        lock (_gate)
        {
            _outputKinds.Add(kind);
        }
    }

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
            attributes.SessionCallback!.OnResponse += owner.RecordOutput;
            var session = (LocalSoamSession)connection.CreateSession(attributes);
            lock (owner._gate)
            {
                owner._session = session;
            }

            Interlocked.Increment(ref owner._sessionsCreated);
            return new RecordedSession(session, owner);
        }

        public void Close() => connection.Close();

        public void Dispose() => connection.Dispose();
    }

    private sealed class RecordedSession(LocalSoamSession session, RecordingSoamApi owner) : ISoamSession
    {
        public string Id => session.Id;

        public TaskInputHandle SendTaskInput(TaskSubmissionAttributes attributes)
        {
            owner.RecordInput(attributes.TaskInput);
            return session.SendTaskInput(attributes);
        }

        public void Close(SessionCloseFlags flags = SessionCloseFlags.DestroyOnClose) => session.Close(flags);

        public void Dispose() => session.Dispose();
    }
}
