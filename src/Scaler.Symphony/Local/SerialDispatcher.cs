using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Scaler.Symphony.Local;

/// <summary>
/// Runs a session's callbacks one at a time, in the order they were handed over, never on a thread of the code that
/// called into the session (SOAM calls callbacks from its own threads, never from the caller of SendTaskInput).
/// </summary>
/// <remarks>
/// On an engine thread (an instance's reader, marked with <see cref="MarkEngineThread"/>) <see cref="Deliver"/> runs
/// the callback there and then when no other callback is running. Going through a delivery thread instead cost a
/// wake-up per task. Anywhere else (an abort, or a start failure met inside the caller's SendTaskInput) it goes to the
/// dispatcher's own loop. Whichever thread is draining runs everything queued meanwhile, so order and one-at-a-time
/// hold across both.
/// </remarks>
internal sealed partial class SerialDispatcher
{
    private readonly Lock _gate = new();
    private readonly Queue<Action> _queue = new();
    /// <summary>Wakes the loop; unbounded (a wake-up is never refused), nothing to dispose.</summary>
    private readonly Channel<bool> _loopSignal = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private bool _draining;
    private bool _completed;

    public SerialDispatcher(ILogger logger)
    {
        _logger = logger;
        _ = Task.Run(LoopAsync);
    }

    [ThreadStatic]
    private static bool t_engineThread;

    /// <summary>Marks the calling thread as one of the engine's own (it may run callbacks).</summary>
    public static void MarkEngineThread() => t_engineThread = true;

    /// <summary>
    /// Runs the action after those handed over before it: on this thread and at once if it is an engine thread and no
    /// callback is running, otherwise on the thread already draining or on the dispatcher's loop.
    /// </summary>
    public void Deliver(Action action)
    {
        bool drainHere, wakeLoop;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _queue.Enqueue(action);
            drainHere = !_draining && t_engineThread;
            wakeLoop = !_draining && !drainHere; // a thread already draining runs it
            _draining |= drainHere;
        }

        if (drainHere)
        {
            Drain();
        }
        else if (wakeLoop)
        {
            _loopSignal.Writer.TryWrite(true);
        }
    }

    /// <summary>Accepts no more actions; those already handed over still run, then the loop ends.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
        }

        _loopSignal.Writer.TryWrite(true);
    }

    private void Drain()
    {
        while (true)
        {
            Action next;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out next!))
                {
                    _draining = false;
                    if (_completed)
                    {
                        _loopSignal.Writer.TryWrite(true); // the loop may be waiting only to end
                    }

                    return;
                }
            }

            try
            {
                next();
            }
#pragma warning disable CA1031 // A callback handler's exception must not stop delivery to the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogHandlerThrew(_logger, e);
            }
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            await _loopSignal.Reader.ReadAsync().ConfigureAwait(false);
            lock (_gate)
            {
                if (_draining)
                {
                    continue; // that thread runs what is queued
                }

                if (_queue.Count == 0)
                {
                    if (_completed)
                    {
                        return;
                    }

                    continue;
                }

                _draining = true;
            }

            Drain();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "a session callback handler threw")]
    private static partial void LogHandlerThrew(ILogger logger, Exception exception);
}
