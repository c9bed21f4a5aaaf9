using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// The answers waiting to be handed to the transport for one peer, sent in order by one drain task.
/// </summary>
/// <remarks>
/// The receive loop must never wait on one slow peer, while the transport's <see cref="YmqBinder.SendAsync"/> waits when
/// that peer's send queue is full; this queue sits in between. It holds headers (80 bytes) and slices of stored contents
/// (shared, not copies), so a peer that does not read costs little memory beyond what the store already holds, and at
/// most <c>maxQueued</c> answers: past that the peer is not reading, and the server drops it.
/// </remarks>
internal sealed class PeerOutbox
{
    private readonly Channel<(ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Payload)> _queue =
        Channel.CreateUnbounded<(ReadOnlyMemory<byte>, ReadOnlyMemory<byte>)>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly YmqBinder _binder;
    private readonly PeerIdentity _peer;
    private readonly ILogger _logger;
    private readonly int _maxQueued;
    private int _queued;
    private volatile bool _abandoned;

    public PeerOutbox(YmqBinder binder, PeerIdentity peer, int maxQueued, ILogger logger, CancellationToken stopping)
    {
        _binder = binder;
        _peer = peer;
        _maxQueued = maxQueued;
        _logger = logger;
        Drained = DrainAsync(stopping);
    }

    /// <summary>Completes once <see cref="Complete"/> was called and everything queued is handed over (or dropped).</summary>
    public Task Drained { get; }

    /// <summary>Answers queued and not yet handed to the transport.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>
    /// Queues a header and its payload frame (empty: none). They go out together or not at all. False when the outbox
    /// already holds its limit of answers: nothing is queued.
    /// </summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> payload)
    {
        if (Volatile.Read(ref _queued) >= _maxQueued)
        {
            return false;
        }

        Interlocked.Increment(ref _queued);
        _queue.Writer.TryWrite((header, payload));
        return true;
    }

    /// <summary>No more answers: the drain hands over what is queued, then ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// No more answers, and those still queued are dropped (the answer being handed over goes out whole). For a peer that
    /// is dropped or lost: a later connection of the same identity gets a new outbox, and two drains must never
    /// interleave their frames on one connection.
    /// </summary>
    public void Abandon()
    {
        _abandoned = true;
        _queue.Writer.TryComplete();
    }

    private async Task DrainAsync(CancellationToken stopping)
    {
        // Under the turn context: answers queued inside a turn reach the transport before that turn ends.
        await TurnContext.SwitchTo();
        try
        {
            var answers = _queue.Reader;
            while (await answers.WaitToReadAsync(stopping).ConfigureAwait(true))
            {
                while (answers.TryRead(out var answer))
                {
                    Interlocked.Decrement(ref _queued);
                    if (_abandoned)
                    {
                        continue;
                    }

                    // When the header cannot be sent (the peer is not connected), its payload must not go out alone on a
                    // later connection, where it would be read as a header.
                    if (!await _binder.SendAsync(_peer, answer.Header, stopping).ConfigureAwait(true))
                    {
                        ObjectStorageLog.AnswerToGonePeer(_logger, _peer.ToString());
                        continue;
                    }

                    if (!answer.Payload.IsEmpty)
                    {
                        await _binder.SendAsync(_peer, answer.Payload, stopping).ConfigureAwait(true);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The server is stopping: what is left is dropped.
        }
        catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
        {
            // The binder was disposed under us while stopping.
        }
    }
}
