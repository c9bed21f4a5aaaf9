using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>
/// Keeps the scheduler aware of this client and this client aware of the scheduler, as the reference client's
/// heartbeat manager: a <c>ClientHeartbeat</c> (CPU, memory, the last measured latency) every interval, one outstanding
/// at a time, and the scheduler declared lost when nothing at all came from it for longer than its timeout.
/// </summary>
internal sealed class HeartbeatKeeper
{
    private readonly ISchedulerLink _scheduler;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _schedulerTimeout;
    private readonly Func<bool> _isClosing;
    private readonly Action<string, Exception?> _onSchedulerLost;
    private readonly ResourceUsage _usage;
    private long _lastContact;
    private long _heartbeatSentAt;
    private uint _latencyMicroseconds;

    /// <param name="scheduler">Where heartbeats go.</param>
    /// <param name="time">The clock of every interval and timeout here.</param>
    /// <param name="interval">How often a heartbeat is due.</param>
    /// <param name="schedulerTimeout">How long the scheduler may stay silent.</param>
    /// <param name="isClosing">True once the client's <c>ClientDisconnect</c> is on its way: no heartbeat may follow it.</param>
    /// <param name="onSchedulerLost">Called once, with the reason, when the scheduler is silent too long or the send fails.</param>
    public HeartbeatKeeper(
        ISchedulerLink scheduler, TimeProvider time, TimeSpan interval, TimeSpan schedulerTimeout, Func<bool> isClosing, Action<string, Exception?> onSchedulerLost)
    {
        _scheduler = scheduler;
        _time = time;
        _interval = interval;
        _schedulerTimeout = schedulerTimeout;
        _isClosing = isClosing;
        _onSchedulerLost = onSchedulerLost;
        _usage = new ResourceUsage(time);
        _lastContact = time.GetTimestamp();
    }

    /// <summary>Half the last heartbeat's round trip, as the next heartbeat reports it (the reference's <c>latency_us</c>).</summary>
    public uint LatencyMicroseconds => Volatile.Read(ref _latencyMicroseconds);

    /// <summary>Something came from the scheduler: its silence starts again now.</summary>
    public void NoteContact() => Volatile.Write(ref _lastContact, _time.GetTimestamp());

    /// <summary>The scheduler echoed a heartbeat: the round trip gives the latency, and the next heartbeat may go.</summary>
    public void OnEcho()
    {
        var sentAt = Interlocked.Exchange(ref _heartbeatSentAt, 0);
        if (sentAt != 0)
        {
            var elapsed = _time.GetElapsedTime(sentAt);
            Volatile.Write(ref _latencyMicroseconds, (uint)Math.Clamp(elapsed.TotalMicroseconds / 2, 0, uint.MaxValue));
        }
    }

    public async Task SendAsync(CancellationToken cancellationToken)
    {
        var (cpu, rss) = _usage.Sample();
        Volatile.Write(ref _heartbeatSentAt, _time.GetTimestamp());
        await _scheduler.SendAsync(
            new ClientHeartbeat { Resource = new Resource { Cpu = cpu, Rss = rss }, LatencyUS = LatencyMicroseconds },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends heartbeats until <paramref name="token"/> is canceled, the client closes or the scheduler is lost.</summary>
    public async Task RunAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                var silence = _time.GetElapsedTime(Volatile.Read(ref _lastContact));
                if (silence > _schedulerTimeout)
                {
                    _onSchedulerLost($"no message for {silence.TotalSeconds:0} s (timeout {_schedulerTimeout.TotalSeconds:0} s)", null);
                    return;
                }

                // Once ClientDisconnect is on its way, a heartbeat would make the scheduler register this client again.
                if (_isClosing())
                {
                    return;
                }

                // One heartbeat outstanding at a time, as the reference; resend if its echo seems lost.
                var sentAt = Volatile.Read(ref _heartbeatSentAt);
                if (sentAt != 0 && _time.GetElapsedTime(sentAt) < 3 * _interval)
                {
                    continue;
                }

                await SendAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Closing.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _onSchedulerLost(e.Message, e);
        }
    }
}
