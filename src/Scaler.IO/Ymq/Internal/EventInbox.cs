using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// The queue between receive loops and the one consumer. Frames are bounded in bytes (writers wait for room, which
/// stops reading the socket); control events are never held back. Reading a frame gives its bytes back.
/// </summary>
internal sealed class EventInbox<T>
{
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly ByteBudget _budget;
    private readonly Func<T, long> _cost;

    public EventInbox(long maxBytes, Func<T, long> cost)
    {
        _budget = new ByteBudget(maxBytes);
        _cost = cost;
        Reader = new BudgetReader(this);
    }

    public ChannelReader<T> Reader { get; }

    /// <summary>Waits for room for <paramref name="cost"/> bytes; false when the inbox is closed.</summary>
    public ValueTask<bool> ReserveAsync(long cost, CancellationToken cancellationToken) => _budget.AcquireAsync(cost, cancellationToken);

    /// <summary>Gives back a reservation that was not used.</summary>
    public void Unreserve(long cost) => _budget.Release(cost);

    /// <summary>Writes an item whose cost was reserved (frames) or costs nothing (control events).</summary>
    public bool TryWrite(T item) => _channel.Writer.TryWrite(item);

    public void Complete(Exception? error = null)
    {
        _channel.Writer.TryComplete(error);
        _budget.Close();
    }

    private sealed class BudgetReader : ChannelReader<T>
    {
        private readonly EventInbox<T> _inbox;

        public BudgetReader(EventInbox<T> inbox)
        {
            _inbox = inbox;
        }

        public override Task Completion => _inbox._channel.Reader.Completion;

        public override bool CanCount => true;

        public override int Count => _inbox._channel.Reader.Count;

        public override bool CanPeek => true;

        public override bool TryRead([MaybeNullWhen(false)] out T item)
        {
            if (!_inbox._channel.Reader.TryRead(out item))
            {
                return false;
            }

            var cost = _inbox._cost(item);
            if (cost > 0)
            {
                _inbox._budget.Release(cost);
            }

            return true;
        }

        public override bool TryPeek([MaybeNullWhen(false)] out T item) => _inbox._channel.Reader.TryPeek(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            _inbox._channel.Reader.WaitToReadAsync(cancellationToken);
    }
}
