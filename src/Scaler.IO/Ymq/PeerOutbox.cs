using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.IO.Threading;

namespace Scaler.IO.Ymq;

/// <summary>
/// Frames waiting to be handed to a binder for one peer, sent in order by one drain task, so that the loop that
/// produces them never waits on a slow peer (<see cref="YmqBinder.SendAsync"/> waits while that peer's send queue is
/// full). Bounded by a number of entries: a peer that leaves more than that unread is not reading, and
/// <see cref="TryEnqueue(ReadOnlyMemory{byte})"/> says so, for the owner to drop it (the full policy is the owner's).
/// </summary>
/// <remarks>
/// An entry is one frame, or two that must go out together or not at all (an object storage header and its payload:
/// a payload sent alone on a later connection would be read as a header). Frames are not copied: the caller must not
/// change them afterwards. Each peer's drain runs under the turn context, so frames queued inside a turn reach the
/// transport before that turn ends.
/// </remarks>
public sealed partial class PeerOutbox
{
    private readonly Channel<(ReadOnlyMemory<byte> First, ReadOnlyMemory<byte> Second)> _queue =
        Channel.CreateUnbounded<(ReadOnlyMemory<byte>, ReadOnlyMemory<byte>)>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly YmqBinder _binder;
    private readonly PeerIdentity _peer;
    private readonly ILogger _logger;
    private readonly int _maxQueued;
    private int _queued;
    private volatile bool _abandoned;

    /// <param name="maxQueued">entries queued at most; one more is refused</param>
    /// <param name="stopping">canceled when the owner stops: what is still queued is dropped</param>
    public PeerOutbox(YmqBinder binder, PeerIdentity peer, int maxQueued, ILogger logger, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(binder);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueued, 1);
        _binder = binder;
        _peer = peer;
        _maxQueued = maxQueued;
        _logger = logger;
        Drained = DrainAsync(stopping);
    }

    /// <summary>Completes once the outbox was completed or abandoned and everything queued is handed over (or dropped).</summary>
    public Task Drained { get; }

    /// <summary>Entries queued and not yet handed to the transport.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Queues one frame; false (nothing queued) when the outbox holds its limit.</summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> frame) => TryEnqueue(frame, default);

    /// <summary>
    /// Queues <paramref name="first"/> and, unless empty, <paramref name="second"/>, to go out together; false (nothing
    /// queued) when the outbox holds its limit.
    /// </summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second)
    {
        if (Volatile.Read(ref _queued) >= _maxQueued)
        {
            return false;
        }

        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite((first, second)))
        {
            // Completed already: the peer is being forgotten, and this frame has nowhere to go.
            Interlocked.Decrement(ref _queued);
        }

        return true;
    }

    /// <summary>No more frames: the drain hands over what is queued, then ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// No more frames, and those still queued are dropped (the entry being handed over goes out whole). For a peer that
    /// is dropped or lost: a later connection of the same identity gets a new outbox, and two drains must never
    /// interleave their frames on one connection.
    /// </summary>
    public void Abandon()
    {
        _abandoned = true;
        _queue.Writer.TryComplete();
    }

    [TurnChain]
    private async Task DrainAsync(CancellationToken stopping)
    {
        await TurnContext.SwitchTo();
        try
        {
            var entries = _queue.Reader;
            while (await entries.WaitToReadAsync(stopping).ConfigureAwait(true))
            {
                while (entries.TryRead(out var entry))
                {
                    Interlocked.Decrement(ref _queued);
                    if (_abandoned)
                    {
                        continue;
                    }

                    if (!await _binder.SendAsync(_peer, entry.First, stopping).ConfigureAwait(true))
                    {
                        LogAbsentPeer(_logger, _peer.ToString());
                        continue;
                    }

                    if (!entry.Second.IsEmpty)
                    {
                        await _binder.SendAsync(_peer, entry.Second, stopping).ConfigureAwait(true);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The owner is stopping: what is left is dropped.
        }
        catch (ObjectDisposedException)
        {
            // The binder was closed under us while stopping.
        }
#pragma warning disable CA1031 // a failed send to one peer must never take its owner down; it is logged.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogSendFailed(_logger, _peer.ToString(), error);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "a frame for {Peer} was dropped: it is not connected")]
    private static partial void LogAbsentPeer(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sending to {Peer} failed")]
    private static partial void LogSendFailed(ILogger logger, string peer, Exception error);
}
