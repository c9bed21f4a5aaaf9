using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Sends frames through a binder without making the caller wait: each peer has its own queue drained by its own
/// task, so a slow peer (whose transport queue is full) holds back only its own frames, never the scheduler's loop,
/// and frames to one peer keep their order. Queues are created and forgotten by the loop thread only.
/// </summary>
internal sealed class BinderOutbox
{
    private readonly YmqBinder _binder;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly Dictionary<PeerIdentity, PeerQueue> _queues = [];
    private readonly List<Task> _pumps = [];

    public BinderOutbox(YmqBinder binder, ILogger logger, CancellationToken stopping)
    {
        _binder = binder;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>Queues <paramref name="frame"/> for <paramref name="peer"/>; the frame must not be changed afterwards.</summary>
    public void Send(PeerIdentity peer, byte[] frame)
    {
        if (!_queues.TryGetValue(peer, out var queue))
        {
            queue = new PeerQueue(peer);
            _queues.Add(peer, queue);
            _pumps.RemoveAll(pump => pump.IsCompleted);
            _pumps.Add(PumpAsync(queue));
        }

        queue.Frames.Writer.TryWrite(frame);
    }

    /// <summary>Queues one frame for each of <paramref name="peers"/>.</summary>
    public void Broadcast(IEnumerable<PeerIdentity> peers, byte[] frame)
    {
        foreach (var peer in peers)
        {
            Send(peer, frame);
        }
    }

    /// <summary>The peer is gone: frames still queued for it are dropped once its queue task sees the end.</summary>
    public void Forget(PeerIdentity peer)
    {
        if (_queues.Remove(peer, out var queue))
        {
            queue.Frames.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Closes <paramref name="peer"/>'s connection (frames queued for it are dropped); the binder then reports it gone,
    /// as for any peer that leaves.
    /// </summary>
    public void Disconnect(PeerIdentity peer)
    {
        Forget(peer);
        _binder.DisconnectPeer(peer);
    }

    /// <summary>Ends every queue and waits (bounded) until what was queued has been handed to the transport.</summary>
    public async Task FlushAsync(TimeSpan bound)
    {
        foreach (var queue in _queues.Values)
        {
            queue.Frames.Writer.TryComplete();
        }

        _queues.Clear();
        try
        {
            await Task.WhenAll(_pumps).WaitAsync(bound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            SchedulerLog.FlushTimedOut(_logger, bound.TotalMilliseconds);
        }
    }

    private async Task PumpAsync(PeerQueue queue)
    {
        // Under the turn context: frames the loop queued inside a turn reach the transport before that turn ends.
        await TurnContext.SwitchTo();
        try
        {
            var frames = queue.Frames.Reader;
            while (await frames.WaitToReadAsync(_stopping).ConfigureAwait(true))
            {
                while (frames.TryRead(out var frame))
                {
                    if (!await _binder.SendAsync(queue.Peer, frame, _stopping).ConfigureAwait(true))
                    {
                        SchedulerLog.SendToAbsentPeer(_logger, queue.Peer.ToString());
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: whatever is left is dropped.
        }
        catch (ObjectDisposedException)
        {
            // The binder was closed under us while stopping.
        }
#pragma warning disable CA1031 // a failed send to one peer must never take the scheduler down; it is logged.
        catch (Exception error)
#pragma warning restore CA1031
        {
            SchedulerLog.SendFailed(_logger, queue.Peer.ToString(), error);
        }
    }

    private sealed class PeerQueue(PeerIdentity peer)
    {
        public PeerIdentity Peer { get; } = peer;

        public Channel<byte[]> Frames { get; } = Channel.CreateUnbounded<byte[]>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    }
}
