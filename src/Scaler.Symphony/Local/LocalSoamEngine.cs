using System.Globalization;
using Microsoft.Extensions.Logging;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Local;

/// <summary>
/// The local SOAM engine of one application: sessions, one FIFO queue of pending tasks (priority tasks jump to the
/// front), and up to <see cref="LocalApplicationProfile.MaxInstances"/> service instance processes, each running one
/// task at a time. Failure behaviour follows Symphony's sample profile: a failure exception or an instance exit
/// retries the task up to the session type's taskRetryLimit (an exited instance is replaced on demand); a fatal
/// exception fails the task at once; a failed task reaches OnResponse with IsSuccessful = false.
/// </summary>
public sealed partial class LocalSoamEngine : IDisposable
{
    private readonly object _gate = new();
    private readonly LinkedList<LocalTask> _pending = new();
    private readonly List<LocalServiceInstance> _instances = [];
    private readonly ILogger _logger;
    private int _nextInstance;
    private long _nextSession;
    private int _consecutiveStartFailures;
    private int _inFlight;
    private int _maxInFlight;
    private bool _disposed;

    internal LocalSoamEngine(LocalApplicationProfile profile, ILogger logger)
    {
        Profile = profile;
        _logger = logger;
    }

    public LocalApplicationProfile Profile { get; }

    /// <summary>Test hook: raised when a task is handed to an instance (which then runs it): session, task, attempt.</summary>
    public event Action<string, string, int>? TaskStarted;

    /// <summary>The most tasks that were handed to instances and not yet completed, at once.</summary>
    public int MaxTasksInFlight
    {
        get
        {
            lock (_gate)
            {
                return _maxInFlight;
            }
        }
    }

    /// <summary>How many instance processes were started so far.</summary>
    public int InstancesStarted
    {
        get
        {
            lock (_gate)
            {
                return _nextInstance;
            }
        }
    }

    /// <summary>Test hook: kills the instance running the given task; false when no instance runs it.</summary>
    public bool KillInstanceRunning(string sessionId, string taskId)
    {
        LocalServiceInstance? victim;
        lock (_gate)
        {
            victim = _instances.Find(i => i.Current is { } t && t.Id == taskId && t.Session.Id == sessionId);
        }

        victim?.Kill();
        return victim is not null;
    }

    /// <summary>
    /// Test hook: kills every service instance process, as a host failure would. They are replaced on demand (with
    /// empty caches) without waiting for their exits; a task one of them was running is retried as for any instance
    /// that exits. Returns how many.
    /// </summary>
    public int KillAllInstances()
    {
        List<LocalServiceInstance> victims;
        lock (_gate)
        {
            victims = [.. _instances.Where(i => !i.Retired)];
            foreach (var victim in victims)
            {
                // Never chosen for a task while its exit is on the way, and replaced at once.
                victim.Retired = true;
            }
        }

        foreach (var victim in victims)
        {
            victim.Kill();
        }

        Pump();
        return victims.Count;
    }

    public void Dispose()
    {
        List<LocalServiceInstance> instances;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            instances = [.. _instances];
            _instances.Clear();
            _pending.Clear();
        }

        Parallel.ForEach(instances, i => i.Dispose());
    }

    internal LocalSoamSession CreateSession(SessionCreationAttributes attributes)
    {
        attributes.Validate();
        var type = Profile.FindSessionType(attributes.SessionType)
            ?? throw new SoamException(
                $"session type '{attributes.SessionType}' is not defined in the profile of application {Profile.ApplicationName} "
                + $"(defined: {string.Join(", ", Profile.SessionTypes.Select(t => t.Name))})");
        if (attributes.ServiceName is { } service && !string.Equals(service, Profile.ServiceName, StringComparison.Ordinal))
        {
            throw new SoamException($"service '{service}' is not defined in the profile of application {Profile.ApplicationName} (defined: {Profile.ServiceName})");
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var id = (++_nextSession).ToString(CultureInfo.InvariantCulture);
            return new LocalSoamSession(this, id, type, attributes.SessionCallback!, _logger);
        }
    }

    internal void Enqueue(LocalTask task, bool priority)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (priority)
            {
                _pending.AddFirst(task);
            }
            else
            {
                _pending.AddLast(task);
            }
        }

        Pump();
    }

    /// <summary>Drops the session's pending tasks; with <paramref name="killRunning"/>, kills instances running its tasks.</summary>
    internal void Forget(LocalSoamSession session, bool killRunning)
    {
        List<LocalServiceInstance> victims = [];
        lock (_gate)
        {
            for (var node = _pending.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Session == session)
                {
                    _pending.Remove(node);
                }

                node = next;
            }

            if (killRunning)
            {
                victims.AddRange(_instances.Where(i => i.Current?.Session == session));
            }
        }

        foreach (var victim in victims)
        {
            victim.Kill();
        }
    }

    private void Pump()
    {
        List<(LocalServiceInstance Instance, LocalTask Task)> toSend = [];
        List<LocalServiceInstance> toStart = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            while (_pending.First is { } first)
            {
                if (!first.Value.Session.IsOpen)
                {
                    _pending.RemoveFirst();
                    continue;
                }

                var idle = _instances.Find(i => i.IsReady && !i.Retired && i.Current is null);
                if (idle is null)
                {
                    break;
                }

                _pending.RemoveFirst();
                idle.Current = first.Value;
                first.Value.Attempts++;
                _inFlight++;
                _maxInFlight = Math.Max(_maxInFlight, _inFlight);
                toSend.Add((idle, first.Value));
            }

            var starting = _instances.Count(i => !i.IsReady && !i.Retired);
            var wanted = Math.Min(_pending.Count - starting, Profile.MaxInstances - _instances.Count(i => !i.Retired));
            if (_consecutiveStartFailures >= Profile.MaxConsecutiveStartFailures)
            {
                wanted = 0;
            }

            for (var i = 0; i < wanted; i++)
            {
                var instance = new LocalServiceInstance(++_nextInstance, Profile, _logger);
                _instances.Add(instance);
                toStart.Add(instance);
            }
        }

        foreach (var instance in toStart)
        {
            try
            {
                instance.Start(OnFrame, OnExited);
            }
#pragma warning disable CA1031 // A service command that cannot start is reported like an instance that died at once.
            catch (Exception e)
#pragma warning restore CA1031
            {
                OnExited(instance, $"could not start {Profile.ServiceCommand.FileName}: {e.Message}");
                continue;
            }

            bool disposedMeanwhile;
            lock (_gate)
            {
                disposedMeanwhile = _disposed;
            }

            if (disposedMeanwhile)
            {
                // Dispose ran while this process was starting and may have missed it.
                instance.Dispose();
            }
        }

        foreach (var (instance, task) in toSend)
        {
            // A failed write means the process is gone; its exit handler retries the task.
            instance.Send(InstanceFrame.Build(InstanceFrameKind.Invoke, task.Session.Id, task.Id, task.Input));
            TaskStarted?.Invoke(task.Session.Id, task.Id, task.Attempts);
        }
    }

    private void OnFrame(LocalServiceInstance instance, InstanceFrame frame)
    {
        switch (frame.Kind)
        {
            case InstanceFrameKind.Ready:
                lock (_gate)
                {
                    instance.IsReady = true;
                    _consecutiveStartFailures = 0;
                }

                Pump();
                break;
            case InstanceFrameKind.Completed:
                OnCompleted(instance, frame);
                break;
            default:
                throw new InvalidDataException($"unexpected {frame.Kind} frame from service instance {instance.Number}");
        }
    }

    private void OnCompleted(LocalServiceInstance instance, InstanceFrame frame)
    {
        var taskId = frame.ReadString();
        var status = (InstanceTaskStatus)frame.ReadByte();
        LocalTask? task;
        lock (_gate)
        {
            task = instance.Current;
            if (task is null || task.Id != taskId)
            {
                return;
            }

            instance.Current = null;
            _inFlight--;
        }

        switch (status)
        {
            case InstanceTaskStatus.Output:
                task.Session.DeliverOutput(TaskOutputHandle.Succeeded(task.Id, frame.ReadBytes().ToArray()));
                break;
            case InstanceTaskStatus.Failure:
            {
                var (type, message) = (frame.ReadString(), frame.ReadString());
                RetryOrFail(task, $"the service threw {type}: {message}", new FailureException($"{type}: {message}"));
                break;
            }

            default:
            {
                var (type, message) = (frame.ReadString(), frame.ReadString());
                Fail(task, new SoamException($"task {task.Id} failed: the service threw a fatal error {type}: {message}", new FatalException($"{type}: {message}")));
                break;
            }
        }

        Pump();
    }

    private void OnExited(LocalServiceInstance instance, string reason)
    {
        LocalTask? task;
        lock (_gate)
        {
            if (!_instances.Remove(instance))
            {
                return;
            }

            if (!instance.IsReady && !instance.Retired)
            {
                _consecutiveStartFailures++;
            }

            task = instance.Current;
            instance.Current = null;
            if (task is not null)
            {
                _inFlight--;
            }
        }

        if (task is not null)
        {
            RetryOrFail(task, $"service instance {instance.Number} {reason}", embedded: null);
        }

        FailPendingIfServiceCannotStart(reason);
        Pump();
    }

    private void RetryOrFail(LocalTask task, string why, Exception? embedded)
    {
        bool retry;
        lock (_gate)
        {
            retry = task.Session.IsOpen && task.Attempts <= task.Session.Type.TaskRetryLimit && !_disposed;
            if (retry)
            {
                _pending.AddFirst(task);
            }
        }

        if (retry)
        {
            LogRetry(_logger, task.Session.Id, task.Id, task.Attempts, task.Session.Type.TaskRetryLimit, why);
            return;
        }

        Fail(task, new SoamException(
            $"task {task.Id} failed after {task.Attempts} attempt(s) (taskRetryLimit {task.Session.Type.TaskRetryLimit}): {why}", embedded));
    }

    private void Fail(LocalTask task, SoamException exception)
    {
        LogTaskFailed(_logger, task.Session.Id, task.Id, exception.Message);
        task.Session.DeliverOutput(TaskOutputHandle.Failed(task.Id, exception));
        if (task.Session.Type.AbortSessionIfTaskFail)
        {
            task.Session.Abort($"task {task.Id} failed and the session type aborts the session on a task failure");
        }
    }

    private void FailPendingIfServiceCannotStart(string reason)
    {
        List<LocalTask> doomed = [];
        lock (_gate)
        {
            if (_consecutiveStartFailures < Profile.MaxConsecutiveStartFailures || _instances.Count > 0)
            {
                return;
            }

            doomed.AddRange(_pending);
            _pending.Clear();
            _consecutiveStartFailures = 0;
        }

        foreach (var task in doomed)
        {
            Fail(task, new SoamException(
                $"task {task.Id} failed: the service of application {Profile.ApplicationName} could not start "
                + $"({Profile.MaxConsecutiveStartFailures} instances in a row ended before they were ready; last: {reason})"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "session {SessionId} task {TaskId}: attempt {Attempt} failed (taskRetryLimit {Limit}), retrying: {Why}")]
    private static partial void LogRetry(ILogger logger, string sessionId, string taskId, int attempt, int limit, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "session {SessionId} task {TaskId} failed: {Why}")]
    private static partial void LogTaskFailed(ILogger logger, string sessionId, string taskId, string why);
}
