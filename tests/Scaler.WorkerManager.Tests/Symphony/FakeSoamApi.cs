using System.Globalization;
using System.Reflection;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// An in-memory SOAM backend whose test decides everything: it records each session's inputs and answers, fails or
/// aborts them when told (raising the session's callback as a backend thread would), refuses sends, and fails the
/// first <paramref name="connectFailures"/> connects. Each connect is stamped with <paramref name="time"/>'s clock.
/// </summary>
/// <remarks>
/// <see cref="SessionCallback"/> is sealed and only a backend in Scaler.Symphony may raise its events (as IBM's only
/// lets the middleware raise its own), so the fake calls its internal raisers by reflection.
/// </remarks>
internal sealed class FakeSoamApi(TimeProvider? time = null, int connectFailures = 0) : ISoamApi
{
    private static readonly MethodInfo RaiseResponse = Raiser("RaiseResponse");
    private static readonly MethodInfo RaiseException = Raiser("RaiseException");

    private readonly Lock _gate = new();
    private readonly List<FakeSoamSession> _sessions = [];
    private readonly List<DateTimeOffset> _connects = [];
    private int _connectFailuresLeft = connectFailures;
    private int _refusedSends;
    private volatile bool _refuseSends;

    public string BackendName => "fake";

    /// <summary>When true, every session refuses every task (as a session manager that lost the session does).</summary>
    public bool RefuseSends
    {
        get => _refuseSends;
        set => _refuseSends = value;
    }

    /// <summary>Sends refused so far.</summary>
    public int RefusedSends => Volatile.Read(ref _refusedSends);

    /// <summary>When each connect was attempted, on the given clock.</summary>
    public IReadOnlyList<DateTimeOffset> Connects
    {
        get
        {
            lock (_gate)
            {
                return [.. _connects];
            }
        }
    }

    public IReadOnlyList<FakeSoamSession> Sessions
    {
        get
        {
            lock (_gate)
            {
                return [.. _sessions];
            }
        }
    }

    public void Initialize()
    {
    }

    public ISoamConnection Connect(string applicationName, ConnectionSecurityCallback securityCallback)
    {
        lock (_gate)
        {
            _connects.Add((time ?? TimeProvider.System).GetUtcNow());
            if (_connectFailuresLeft > 0)
            {
                _connectFailuresLeft--;
                throw new SoamException("the session manager of application " + applicationName + " is unreachable");
            }
        }

        return new FakeConnection(this);
    }

    public void Uninitialize()
    {
    }

    public void Dispose()
    {
    }

    private static MethodInfo Raiser(string name) =>
        typeof(SessionCallback).GetMethod(name, BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"SessionCallback.{name} is gone: the fake cannot raise callbacks");

    private FakeSoamSession Created(SessionCallback callback)
    {
        lock (_gate)
        {
            var session = new FakeSoamSession(this, "fake-session-" + (_sessions.Count + 1).ToString(CultureInfo.InvariantCulture), callback);
            _sessions.Add(session);
            return session;
        }
    }

    private sealed class FakeConnection(FakeSoamApi api) : ISoamConnection
    {
        public string Id => "fake-connection";

        public ISoamSession CreateSession(SessionCreationAttributes attributes) =>
            api.Created(attributes.SessionCallback ?? throw new SoamException("an asynchronous session needs a callback"));

        public void Close()
        {
        }

        public void Dispose()
        {
        }
    }

    /// <summary>One session: what was sent into it, and the test's hand on its callback.</summary>
    internal sealed class FakeSoamSession(FakeSoamApi api, string id, SessionCallback callback) : ISoamSession
    {
        private readonly List<(string TaskId, byte[] Input)> _inputs = [];
        private volatile bool _closed;

        public string Id { get; } = id;

        public bool Closed => _closed;

        public IReadOnlyList<(string TaskId, byte[] Input)> Inputs
        {
            get
            {
                lock (_inputs)
                {
                    return [.. _inputs];
                }
            }
        }

        public TaskInputHandle SendTaskInput(TaskSubmissionAttributes attributes)
        {
            if (_closed)
            {
                throw new SoamException($"session {Id} is closed");
            }

            if (api.RefuseSends)
            {
                Interlocked.Increment(ref api._refusedSends);
                throw new SoamException($"the session manager refused a task of session {Id}");
            }

            lock (_inputs)
            {
                var taskId = (_inputs.Count + 1).ToString(CultureInfo.InvariantCulture);
                _inputs.Add((taskId, attributes.TaskInput.ToArray()));
                return new TaskInputHandle(taskId);
            }
        }

        /// <summary>The service set this output for the task.</summary>
        public void Answer(string taskId, byte[] output) => RaiseResponse.Invoke(callback, [TaskOutputHandle.Succeeded(taskId, output)]);

        /// <summary>Symphony failed the task itself (its retries ran out).</summary>
        public void FailTask(string taskId, SoamException exception) => RaiseResponse.Invoke(callback, [TaskOutputHandle.Failed(taskId, exception)]);

        /// <summary>A session-wide failure, as an administrator's kill.</summary>
        public void Abort(string reason)
        {
            _closed = true;
            RaiseException.Invoke(callback, [new SoamException("session aborted: " + reason)]);
        }

        public void Close(SessionCloseFlags flags = SessionCloseFlags.DestroyOnClose) => _closed = true;

        public void Dispose() => _closed = true;
    }
}
