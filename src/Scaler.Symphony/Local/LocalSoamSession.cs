using System.Globalization;
using Microsoft.Extensions.Logging;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Local;

/// <summary>A session of the local engine. Callbacks run one at a time, in order, on engine threads (<see cref="SerialDispatcher"/>).</summary>
public sealed class LocalSoamSession : ISoamSession
{
    private readonly object _gate = new();
    private readonly LocalSoamEngine _engine;
    private readonly SessionCallback _callback;
    private readonly SerialDispatcher _delivery;
    private long _nextTask;
    private State _state = State.Open;

    internal LocalSoamSession(LocalSoamEngine engine, string id, LocalSessionType type, SessionCallback callback, ILogger logger)
    {
        _engine = engine;
        Id = id;
        Type = type;
        _callback = callback;
        _delivery = new SerialDispatcher(logger);
    }

    private enum State
    {
        Open,
        Closed,
        Aborted,
    }

    public string Id { get; }

    public LocalSessionType Type { get; }

    internal bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _state == State.Open;
            }
        }
    }

    public TaskInputHandle SendTaskInput(TaskSubmissionAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        LocalTask task;
        lock (_gate)
        {
            if (_state != State.Open)
            {
                throw new SoamException($"session {Id} is {_state.ToString().ToLowerInvariant()}; it takes no more tasks");
            }

            task = new LocalTask(this, (++_nextTask).ToString(CultureInfo.InvariantCulture), attributes.TaskInput.ToArray());
        }

        _engine.Enqueue(task, attributes.PriorityTask);
        return new TaskInputHandle(task.Id);
    }

    /// <summary>Ends the session; outstanding outputs are dropped. (DetachOnClose is treated as destroy: the local engine cannot re-attach.)</summary>
    public void Close(SessionCloseFlags flags = SessionCloseFlags.DestroyOnClose)
    {
        lock (_gate)
        {
            if (_state == State.Open)
            {
                _state = State.Closed;
            }
        }

        _engine.Forget(this, killRunning: false);
        _delivery.Complete();
    }

    /// <summary>
    /// Aborts the session, as an administrator's kill or abortSessionIfTaskFail does: pending tasks are dropped,
    /// instances running its tasks are killed, and OnException fires once so every task in flight fails.
    /// </summary>
    public void Abort(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            if (_state != State.Open)
            {
                return;
            }

            _state = State.Aborted;
        }

        _engine.Forget(this, killRunning: true);
        var exception = new SoamException($"session {Id} was aborted: {reason}");
        _delivery.Deliver(() => _callback.RaiseException(exception));
        _delivery.Complete();
    }

    public void Dispose() => Close();

    internal void DeliverOutput(TaskOutputHandle output) => _delivery.Deliver(() =>
    {
        if (IsOpen)
        {
            _callback.RaiseResponse(output);
        }
    });
}
