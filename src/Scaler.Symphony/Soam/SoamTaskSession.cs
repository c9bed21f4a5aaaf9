using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Scaler.Symphony.Soam;

/// <summary>
/// Backend-neutral task submission over one SOAM connection and session: <see cref="Submit"/> sends one input and
/// calls its completion once, keyed by task id, whatever the backend does (out-of-order outputs, the same output
/// twice after a re-attach, a session-wide exception). The submit and the registration of the completion happen
/// under one lock, so an output can never arrive for a task not yet registered. Completions run on the backend's
/// threads and must not dispose this object.
/// </summary>
public sealed partial class SoamTaskSession : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Action<SoamTaskCompletion>> _pending = new(StringComparer.Ordinal);
    private readonly ISoamApi _api;
    private readonly ISoamConnection _connection;
    private readonly ISoamSession _session;
    private readonly ILogger _logger;
    private SoamException? _broken;
    private bool _disposed;

    private SoamTaskSession(ISoamApi api, ISoamConnection connection, Func<SessionCallback, ISoamSession> createSession, ILogger logger)
    {
        _api = api;
        _connection = connection;
        _logger = logger;
        var callback = new SessionCallback();
        callback.OnResponse += OnResponse;
        callback.OnException += OnException;
        _session = createSession(callback);
    }

    public string ConnectionId => _connection.Id;

    public string SessionId => _session.Id;

    public string BackendName => _api.BackendName;

    /// <summary>Tasks submitted and not completed yet.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Initializes <paramref name="api"/>, connects to the application and creates a receive-asynchronously
    /// session. Disposing the result closes the session (destroy), the connection, and uninitializes the API.
    /// </summary>
    public static SoamTaskSession Open(ISoamApi api, SoamTaskSessionOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        api.Initialize();
        ISoamConnection? connection = null;
        try
        {
            connection = api.Connect(options.ApplicationName, options.SecurityCallback);
            var opened = connection;
            var taskSession = new SoamTaskSession(api, connection, callback => opened.CreateSession(new SessionCreationAttributes
            {
                SessionName = options.SessionName,
                SessionType = options.SessionType,
                SessionFlags = SessionFlags.PartialAsync,
                SessionCallback = callback,
            }), logger);
            LogOpened(logger, api.BackendName, options.ApplicationName, connection.Id, taskSession.SessionId, options.SessionType);
            return taskSession;
        }
        catch
        {
            connection?.Dispose();
            api.Uninitialize();
            throw;
        }
    }

    /// <summary>
    /// Sends one task and returns its id; <paramref name="onCompleted"/> is called exactly once, on a backend thread,
    /// when the task ends, fails, or the session fails or closes. Throws <see cref="SoamException"/> when the
    /// session already failed or the backend refuses the input.
    /// </summary>
    public string Submit(ReadOnlyMemory<byte> input, Action<SoamTaskCompletion> onCompleted, bool priority = false)
    {
        ArgumentNullException.ThrowIfNull(onCompleted);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_broken is not null)
            {
                throw new SoamException($"session {_session.Id} failed and takes no more tasks: {_broken.Message}", _broken);
            }

            var handle = _session.SendTaskInput(new TaskSubmissionAttributes(input) { PriorityTask = priority });
            _pending.Add(handle.Id, onCompleted);
            return handle.Id;
        }
    }

    /// <summary><see cref="Submit"/> as a task; it completes (never faults) with the task's completion.</summary>
    public Task<SoamTaskCompletion> SubmitAsync(ReadOnlyMemory<byte> input, bool priority = false)
    {
        var completion = new TaskCompletionSource<SoamTaskCompletion>(TaskCreationOptions.RunContinuationsAsynchronously);
        Submit(input, completion.SetResult, priority);
        return completion.Task;
    }

    public void Dispose()
    {
        List<KeyValuePair<string, Action<SoamTaskCompletion>>> orphans;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            orphans = [.. _pending];
            _pending.Clear();
        }

        try
        {
            _session.Close(SessionCloseFlags.DestroyOnClose);
        }
        finally
        {
            try
            {
                _connection.Close();
            }
            finally
            {
                _api.Uninitialize();
            }
        }

        var closed = new SoamException($"session {_session.Id} was closed before the task finished");
        foreach (var (taskId, onCompleted) in orphans)
        {
            Complete(onCompleted, SoamTaskCompletion.Failed(taskId, closed));
        }
    }

    private void OnResponse(TaskOutputHandle output)
    {
        Action<SoamTaskCompletion>? onCompleted;
        lock (_gate)
        {
            _pending.Remove(output.Id, out onCompleted);
        }

        if (onCompleted is null)
        {
            // Already delivered (a re-attach can repeat outputs) or not ours: deliver each task once.
            LogDuplicate(_logger, _session.Id, output.Id);
            return;
        }

        Complete(onCompleted, SoamTaskCompletion.FromOutput(output));
    }

    private void OnException(SoamException exception)
    {
        List<KeyValuePair<string, Action<SoamTaskCompletion>>> failed;
        lock (_gate)
        {
            _broken ??= exception;
            failed = [.. _pending];
            _pending.Clear();
        }

        LogSessionFailed(_logger, exception, _session.Id, failed.Count);
        foreach (var (taskId, onCompleted) in failed)
        {
            Complete(onCompleted, SoamTaskCompletion.Failed(taskId, exception));
        }
    }

    private void Complete(Action<SoamTaskCompletion> onCompleted, SoamTaskCompletion completion)
    {
        try
        {
            onCompleted(completion);
        }
#pragma warning disable CA1031 // A completion handler's bug must not kill the backend's callback thread.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogCompletionThrew(_logger, e, completion.TaskId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SOAM ({Backend}): connected to application {Application} (connection {ConnectionId}), session {SessionId} of type {SessionType}")]
    private static partial void LogOpened(ILogger logger, string backend, string application, string connectionId, string sessionId, string sessionType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "session {SessionId}: output for task {TaskId} ignored (already delivered or unknown)")]
    private static partial void LogDuplicate(ILogger logger, string sessionId, string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "session {SessionId} failed; failing {Count} task(s) in flight")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string sessionId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "completion handler of task {TaskId} threw")]
    private static partial void LogCompletionThrew(ILogger logger, Exception exception, string taskId);
}
