using Scaler.IO.Threading;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// The local engine, recording the latest connection and session so tests can read its instrumentation, and what
/// crossed SOAM: whether each task input carried code bytes and was sent inside a transport turn, and the kind of each
/// Scaler result output. Given <c>backendName</c>, it stands in for another backend (one the manager treats as remote).
/// </summary>
internal sealed class RecordingSoamApi(LocalSoamApi inner, string? backendName = null) : ISoamApi
{
    private readonly Lock _gate = new();
    private LocalSoamConnection? _connection;
    private LocalSoamSession? _session;
    private int _sessionsCreated;

    public string BackendName => backendName ?? inner.BackendName;

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

    /// <summary>How many task inputs were sent so far (a mark for <see cref="InputsSince"/>).</summary>
    public int InputCount
    {
        get
        {
            lock (_gate)
            {
                return _inputs.Count;
            }
        }
    }

    /// <summary>Whether each task input, in the order sent, was sent inside a transport turn (<see cref="TurnContext.InTurn"/>).</summary>
    public IReadOnlyList<bool> SentInTurn
    {
        get
        {
            lock (_gate)
            {
                return [.. _sentInTurn];
            }
        }
    }

    /// <summary>The inputs sent after <paramref name="mark"/>: their SOAM key and whether they carried every code byte.</summary>
    public IReadOnlyList<(string Key, bool CarriesCode)> InputsSince(int mark)
    {
        lock (_gate)
        {
            return [.. _inputs.Skip(mark)];
        }
    }

    /// <summary>
    /// The Scaler result kind of each of these inputs, once every one of them has its output (an output is recorded
    /// after the backend's own handler ran, so the client can see a result before it is recorded here).
    /// </summary>
    public async Task<IReadOnlyList<SymphonyTaskResultKind>> OutputsOfAsync(IEnumerable<(string Key, bool CarriesCode)> inputs, CancellationToken cancellationToken)
    {
        var keys = inputs.Select(i => i.Key).ToList();
        while (true)
        {
            lock (_gate)
            {
                if (keys.All(_outputs.ContainsKey))
                {
                    return [.. keys.Select(k => _outputs[k])];
                }
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private readonly List<(string Key, bool CarriesCode)> _inputs = [];
    private readonly List<bool> _sentInTurn = [];
    private readonly Dictionary<string, SymphonyTaskResultKind> _outputs = new(StringComparer.Ordinal);

    private static string Key(string sessionId, string taskId) => sessionId + "/" + taskId;

    private void RecordInput(string sessionId, string taskId, ReadOnlyMemory<byte> input, bool inTurn)
    {
        // A Python task's input is a pickle, not an envelope: it carries no code.
        var carriesCode = !input.Span.StartsWith("SCLRSYMT"u8) || SymphonyTaskEnvelope.Decode(input).CodeAssemblies.All(c => c.HasBytes);
        lock (_gate)
        {
            _inputs.Add((Key(sessionId, taskId), carriesCode));
            _sentInTurn.Add(inTurn);
        }
    }

    private void RecordOutput(string sessionId, TaskOutputHandle output)
    {
        // A reference Python service answers a bare pickle, which is not recorded.
        if (!output.IsSuccessful || !output.PopulateTaskOutput().Span.StartsWith("SCLRSYMR"u8))
        {
            return;
        }

        var kind = SymphonyTaskResult.Decode(output.PopulateTaskOutput()).Kind;
        lock (_gate)
        {
            _outputs[Key(sessionId, output.Id)] = kind;
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
            string? sessionId = null;
            attributes.SessionCallback!.OnResponse += output => owner.RecordOutput(sessionId!, output);
            var session = (LocalSoamSession)connection.CreateSession(attributes);
            sessionId = session.Id;
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
            // Recorded under the id SOAM gave it; its output may be recorded first (outputs are kept by id).
            var inTurn = TurnContext.InTurn;
            var handle = session.SendTaskInput(attributes);
            owner.RecordInput(session.Id, handle.Id, attributes.TaskInput, inTurn);
            return handle;
        }

        public void Close(SessionCloseFlags flags = SessionCloseFlags.DestroyOnClose) => session.Close(flags);

        public void Dispose() => session.Dispose();
    }
}
