using System.Threading.Channels;

namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// Ordered frames waiting for a connection's send loop, bounded in bytes by a <see cref="ByteBudget"/>.
/// The send loop calls <see cref="Release"/> once the frames it took are written.
/// </summary>
internal sealed class SendQueue
{
    /// <summary>Charged per frame on top of its length so a flood of empty frames is bounded too.</summary>
    public const int FrameOverhead = 64;

    private readonly Channel<ReadOnlyMemory<byte>> _channel =
        Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly ByteBudget _budget;

    public SendQueue(long maxBytes)
    {
        _budget = new ByteBudget(maxBytes);
    }

    public ChannelReader<ReadOnlyMemory<byte>> Reader => _channel.Reader;

    public static long Cost(ReadOnlyMemory<byte> frame) => frame.Length + FrameOverhead;

    /// <summary>False when the queue is closed (the connection or connector is gone).</summary>
    public async ValueTask<bool> EnqueueAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var cost = Cost(frame);
        if (!await _budget.AcquireAsync(cost, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (_channel.Writer.TryWrite(frame))
        {
            return true;
        }

        _budget.Release(cost);
        return false;
    }

    public void Release(long cost) => _budget.Release(cost);

    /// <summary>
    /// Completes once every frame queued so far has been written to the socket (or the queue is closed): a graceful
    /// close waits for this, bounded, so the last frames (a shutdown answer, a disconnect) are not dropped with it.
    /// </summary>
    public Task WhenDrainedAsync() => _budget.WhenIdleAsync();

    /// <summary>Waits until every queue is drained, or <paramref name="bound"/> passes on <paramref name="time"/> (never throws for it).</summary>
    public static async Task WhenAllDrainedAsync(IEnumerable<SendQueue> queues, TimeSpan bound, TimeProvider time)
    {
        if (bound <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.WhenAll(queues.Select(q => q.WhenDrainedAsync())).WaitAsync(bound, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A peer that does not read: close anyway.
        }
    }

    /// <summary>No more frames; frames already queued are dropped with the queue.</summary>
    public void Close()
    {
        _channel.Writer.TryComplete();
        _budget.Close();
    }
}
