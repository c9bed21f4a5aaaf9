using System.Collections.Concurrent;
using System.Threading.Channels;
using Scaler.Internal;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests.Support;

/// <summary>Records what the client's parts send to the scheduler, in order; can be made to fail.</summary>
internal sealed class RecordingSchedulerLink : ISchedulerLink
{
    private readonly Channel<IMessage> _arrivals = Channel.CreateUnbounded<IMessage>();

    public ConcurrentQueue<IMessage> Sent { get; } = new();

    /// <summary>When set, every send throws it.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Called on every send, before it is recorded (tests log the order of sends against other events).</summary>
    public Action<IMessage>? OnSend { get; set; }

    public ValueTask SendAsync(IMessage message, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            return ValueTask.FromException(failure);
        }

        OnSend?.Invoke(message);
        Sent.Enqueue(message);
        _arrivals.Writer.TryWrite(message);
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits for the next message sent (bounded by <paramref name="cancellationToken"/>).</summary>
    public ValueTask<IMessage> NextAsync(CancellationToken cancellationToken) => _arrivals.Reader.ReadAsync(cancellationToken);
}
