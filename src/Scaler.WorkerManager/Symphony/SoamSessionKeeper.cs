using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.Symphony.Soam;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Keeps one SOAM session open for a Symphony backend: opens it (retrying with a doubling delay while it cannot be
/// opened), sends tasks into it, and when it is lost (a session-wide SOAM exception, or a refused send) closes it off
/// the callback thread, opens a new one and sends again every task the lost one held, each at most
/// <see cref="SymphonyBackendOptions.MaxSessionLossesPerTask"/> times; a task lost more often is given up.
/// </summary>
/// <remarks>
/// Tasks that need a session while none is open are parked here (<see cref="CurrentOrPark"/>) and handed back to the
/// host, through <see cref="ISoamSessionHost.Resend"/>, once one opens. <see cref="SoamTaskSession"/> reports a task's
/// own failure and a session failure alike, as a failed completion; the <see cref="SoamSessionObserver"/> of each
/// session tells them apart. This type never calls the host while it holds its lock, and the host may call
/// <see cref="CurrentOrPark"/> under its own.
/// </remarks>
internal sealed partial class SoamSessionKeeper : IAsyncDisposable
{
    private static readonly TimeSpan FirstReopenDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<InFlightTask> _waiting = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ISoamApi _api;
    private readonly SymphonyBackendOptions _options;
    private readonly ISoamSessionHost _host;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    private ObservedSoamSession? _session;
    private bool _opening;
    private bool _disposed;
    private int _sessionsOpened;
    private Task _opener = Task.CompletedTask;

    /// <param name="time">The clock of the reopen delay and of the bound on waiting for the opener at dispose.</param>
    /// <param name="logger">Where session events are logged (the backend's, so its log lines keep their category).</param>
    public SoamSessionKeeper(
        ISoamApi api, SymphonyBackendOptions options, ISoamSessionHost host, TimeProvider time, ILoggerFactory loggerFactory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(logger);
        _api = api;
        _options = options;
        _host = host;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = logger;
    }

    /// <summary>Whether a session is open (a snapshot: a send re-checks with <see cref="CurrentOrPark"/>).</summary>
    public bool IsOpen => Volatile.Read(ref _session) is not null;

    /// <summary>The id of the open SOAM session, or null while none is open.</summary>
    public string? SessionId
    {
        get
        {
            lock (_gate)
            {
                return _session?.Session.SessionId;
            }
        }
    }

    /// <summary>How many sessions were opened (1 + the reopens after losses).</summary>
    public int SessionsOpened => Volatile.Read(ref _sessionsOpened);

    /// <summary>Tasks parked until a session opens.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Starts opening the first session, off the caller's thread; tasks wait until it is open.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_disposed || _opening)
            {
                return;
            }

            _opening = true;
            _opener = Task.Run(() => OpenLoopAsync(previous: null), CancellationToken.None);
        }
    }

    /// <summary>The open session; or, while none is open, null, and <paramref name="task"/> waits for the next one.</summary>
    public ObservedSoamSession? CurrentOrPark(InFlightTask task)
    {
        lock (_gate)
        {
            if (_session is null)
            {
                _waiting.Add(task);
            }

            return _session;
        }
    }

    /// <summary>A parked task was cancelled: it no longer waits for a session.</summary>
    public void Forget(InFlightTask task)
    {
        lock (_gate)
        {
            _waiting.Remove(task);
        }
    }

    /// <summary>
    /// Sends one task into <paramref name="session"/>. Its output goes to <see cref="ISoamSessionHost.Completed"/>, a
    /// failure of the task to <see cref="ISoamSessionHost.FailedInSymphony"/>; a refused send loses the session.
    /// </summary>
    public void Submit(ObservedSoamSession session, InFlightTask task, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            task.SoamTaskId = session.Session.Submit(input, completion => OnCompleted(session, task, completion));
        }
        catch (Exception e) when (e is SoamException or ObjectDisposedException)
        {
            OnSessionLost(session, [task], e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ObservedSoamSession? session;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            session = _session;
            _session = null;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _opener.WaitAsync(DisposeWait, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        if (session is not null)
        {
            CloseQuietly(session);
        }

        _stopping.Dispose();
    }

    private void OnCompleted(ObservedSoamSession session, InFlightTask task, SoamTaskCompletion completion)
    {
        if (!completion.IsSuccessful)
        {
            // Whether the task failed or its session did is known only once the observer sees the callback.
            session.Observer.Park(task, completion);
            return;
        }

        _host.Completed(task, completion);
    }

    /// <summary>The session failed: its tasks wait for a new one (or are given up after too many losses); reopen once.</summary>
    private void OnSessionLost(ObservedSoamSession session, IReadOnlyList<InFlightTask> lost, string reason)
    {
        if (lost.Count == 0 && !ReferenceEquals(Volatile.Read(ref _session), session))
        {
            return;
        }

        IReadOnlyList<InFlightTask> reclaimed = lost.Count == 0 ? [] : _host.Reclaim(lost);
        List<InFlightTask> exhausted = [];
        List<InFlightTask> sendNow = [];
        var waiting = 0;
        lock (_gate)
        {
            foreach (var task in reclaimed)
            {
                task.SessionLosses++;
                if (task.SessionLosses > _options.MaxSessionLossesPerTask)
                {
                    exhausted.Add(task);
                    continue;
                }

                _waiting.Add(task);
                waiting++;
            }

            if (ReferenceEquals(_session, session))
            {
                _session = null;
            }

            if (!_disposed && !_opening && _session is null)
            {
                // Never close a session on the backend's callback thread: the reopen loop closes it first.
                _opening = true;
                _opener = Task.Run(() => OpenLoopAsync(session), CancellationToken.None);
            }
            else if (_session is not null)
            {
                // A newer session is already open (this loss was reported late): send them there now.
                sendNow.AddRange(_waiting);
                _waiting.Clear();
            }
        }

        foreach (var task in sendNow)
        {
            _host.Resend(task);
        }

        _host.SlotsFreed();

        LogSessionLost(_logger, session.Session.SessionId, reason, waiting, exhausted.Count);
        foreach (var task in exhausted)
        {
            _host.GiveUp(task, new RemoteError(
                typeof(SoamException).FullName!,
                $"the task's IBM Spectrum Symphony session was lost {task.SessionLosses} times (last: session "
                    + $"{session.Session.SessionId}: {reason}); giving up",
                string.Empty));
        }
    }

    private async Task OpenLoopAsync(ObservedSoamSession? previous)
    {
        if (previous is not null)
        {
            CloseQuietly(previous);

            // Closing completes the tasks it still held as failed, with no callback to say why: they were lost with it.
            var parked = previous.Observer.TakeParked();
            if (parked.Count > 0)
            {
                OnSessionLost(previous, parked, "closed after a loss");
            }
        }

        var delay = FirstReopenDelay;
        while (!_stopping.IsCancellationRequested)
        {
            ObservedSoamSession? opened = null;
            try
            {
                opened = Open();
            }
            catch (SoamException e)
            {
                LogOpenFailed(_logger, _options.ApplicationName, e.Message, delay.TotalSeconds);
            }

            if (opened is not null)
            {
                List<InFlightTask> resend;
                bool disposed;
                lock (_gate)
                {
                    _opening = false;
                    disposed = _disposed;
                    if (disposed)
                    {
                        resend = [];
                    }
                    else
                    {
                        _session = opened;
                        resend = [.. _waiting];
                        _waiting.Clear();
                    }
                }

                if (disposed || _stopping.IsCancellationRequested)
                {
                    CloseQuietly(opened);
                    return;
                }

                var count = Interlocked.Increment(ref _sessionsOpened);
                LogSessionOpened(_logger, opened.Session.SessionId, _options.SessionName, opened.Session.BackendName, count, resend.Count);
                foreach (var task in resend)
                {
                    _host.Resend(task);
                }

                _host.SessionOpened();
                return;
            }

            try
            {
                await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReopenDelay.Ticks));
        }
    }

    private ObservedSoamSession Open()
    {
        ObservedSoamSession? opened = null;
        var observer = new SoamSessionObserver(
            (task, completion) => _host.FailedInSymphony(task, completion, opened!.Session.SessionId),
            (lost, exception) => OnSessionLost(opened!, lost, exception.Message));
        var session = SoamTaskSession.Open(
            new ObservedSoamApi(_api, observer),
            new SoamTaskSessionOptions(_options.ApplicationName)
            {
                SessionType = _options.SessionType,
                SessionName = _options.SessionName,
            },
            _loggerFactory.CreateLogger<SoamTaskSession>());
        opened = new ObservedSoamSession(session, observer);
        return opened;
    }

    private void CloseQuietly(ObservedSoamSession session)
    {
        try
        {
            session.Session.Dispose();
        }
#pragma warning disable CA1031 // closing a failed session may fail too; the next one is what matters
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogCloseFailed(_logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SOAM session {SessionId} ({SessionName}) open on backend {Backend} (session #{Count}); sending {Resend} waiting task(s)")]
    private static partial void LogSessionOpened(ILogger logger, string sessionId, string sessionName, string backend, int count, int resend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot open a SOAM session to application {Application}: {Reason}; retrying in {Seconds} s (tasks are held until it opens)")]
    private static partial void LogOpenFailed(ILogger logger, string application, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SOAM session {SessionId} lost: {Reason}; {Waiting} task(s) will be sent again in a new session, {Exhausted} failed after too many losses")]
    private static partial void LogSessionLost(ILogger logger, string sessionId, string reason, int waiting, int exhausted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "closing a SOAM session failed: {Reason}")]
    private static partial void LogCloseFailed(ILogger logger, string reason);
}
