using Microsoft.Extensions.Logging;
using Scaler.IO.Ymq;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Sends frames through a binder without making the scheduler's loop wait: each peer has its own
/// <see cref="PeerOutbox"/>, so a slow peer (whose transport queue is full) holds back only its own frames, and frames
/// to one peer keep their order. Outboxes are created and forgotten by the loop thread only.
/// </summary>
/// <remarks>
/// Full policy: a peer that leaves <see cref="MaxQueuedFramesPerPeer"/> frames unread on top of its transport send
/// queue is not reading (a client stuck, a monitor gone silent); it is logged and disconnected, and the scheduler then
/// treats it as gone, as for any peer that leaves. A peer that reads at any pace never gets near it.
/// </remarks>
internal sealed class BinderOutbox
{
    /// <summary>Frames one peer may have waiting here, beyond the transport's own send queue (SendQueueMaxBytes).</summary>
    internal const int MaxQueuedFramesPerPeer = 1 << 18;

    private readonly YmqBinder _binder;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly int _maxQueuedPerPeer;
    private readonly Dictionary<PeerIdentity, PeerOutbox> _outboxes = [];
    private readonly List<Task> _drains = [];

    public BinderOutbox(YmqBinder binder, ILogger logger, CancellationToken stopping, int maxQueuedPerPeer = MaxQueuedFramesPerPeer)
    {
        _binder = binder;
        _logger = logger;
        _stopping = stopping;
        _maxQueuedPerPeer = maxQueuedPerPeer;
    }

    /// <summary>Queues <paramref name="frame"/> for <paramref name="peer"/>; the frame must not be changed afterwards.</summary>
    public void Send(PeerIdentity peer, byte[] frame)
    {
        if (!_outboxes.TryGetValue(peer, out var outbox))
        {
            outbox = new PeerOutbox(_binder, peer, _maxQueuedPerPeer, _logger, _stopping);
            _outboxes.Add(peer, outbox);
            _drains.RemoveAll(drain => drain.IsCompleted);
            _drains.Add(outbox.Drained);
        }

        if (!outbox.TryEnqueue(frame))
        {
            SchedulerLog.OutboxOverflow(_logger, peer.ToString(), outbox.Queued);
            _outboxes.Remove(peer);
            outbox.Abandon();
            _binder.DisconnectPeer(peer);
        }
    }

    /// <summary>Queues one frame for each of <paramref name="peers"/>.</summary>
    public void Broadcast(IEnumerable<PeerIdentity> peers, byte[] frame)
    {
        foreach (var peer in peers)
        {
            Send(peer, frame);
        }
    }

    /// <summary>
    /// The peer is gone or being let go: what is already queued for it is still handed to the transport (a last answer,
    /// a shutdown), then its outbox ends; a later connection of the same identity gets a new one.
    /// </summary>
    public void Forget(PeerIdentity peer)
    {
        if (_outboxes.Remove(peer, out var outbox))
        {
            outbox.Complete();
        }
    }

    /// <summary>
    /// Closes <paramref name="peer"/>'s connection (frames queued for it are dropped); the binder then reports it gone,
    /// as for any peer that leaves.
    /// </summary>
    public void Disconnect(PeerIdentity peer)
    {
        if (_outboxes.Remove(peer, out var outbox))
        {
            outbox.Abandon();
        }

        _binder.DisconnectPeer(peer);
    }

    /// <summary>Ends every outbox and waits (bounded) until what was queued has been handed to the transport.</summary>
    public async Task FlushAsync(TimeSpan bound)
    {
        foreach (var outbox in _outboxes.Values)
        {
            outbox.Complete();
        }

        _outboxes.Clear();
        try
        {
            await Task.WhenAll(_drains).WaitAsync(bound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            SchedulerLog.FlushTimedOut(_logger, bound.TotalMilliseconds);
        }
    }
}
