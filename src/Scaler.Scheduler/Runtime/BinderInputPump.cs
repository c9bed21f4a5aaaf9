using System.Threading.Channels;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Moves the main binder's events into the scheduler loop's inputs, at most <c>capacity</c> of them queued unread.
/// </summary>
/// <remarks>
/// Full policy: the pump waits (nothing is dropped), so the binder's inbox (bounded in bytes, ReceiveQueueMaxBytes)
/// fills and the transport stops reading its sockets: TCP holds the peers back. Timer ticks and monitor events share
/// the inputs but are few and not counted. The loop calls <see cref="Consumed"/> for each event it has handled.
/// </remarks>
#pragma warning disable CA1001 // the semaphore is never disposed: the loop may still call Consumed after a stop.
internal sealed class BinderInputPump
#pragma warning restore CA1001
{
    private readonly SemaphoreSlim _room;

    public BinderInputPump(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _room = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>How many more events may be queued before the pump waits.</summary>
    public int Room => _room.CurrentCount;

    /// <summary>Pumps until <paramref name="events"/> completes or <paramref name="cancellationToken"/> is canceled.</summary>
    [TurnChain]
    public async Task RunAsync(ChannelReader<YmqBinderEvent> events, ChannelWriter<SchedulerInput> inputs, CancellationToken cancellationToken)
    {
        // Under the turn context: a frame the transport read goes on to the loop on the thread that read it.
        await TurnContext.SwitchTo();
        try
        {
            while (await events.WaitToReadAsync(cancellationToken).ConfigureAwait(true))
            {
                while (events.TryRead(out var binderEvent))
                {
                    await _room.WaitAsync(cancellationToken).ConfigureAwait(true);
                    inputs.TryWrite(new BinderInput(binderEvent));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>The loop has taken one <see cref="BinderInput"/>: there is room for another.</summary>
    public void Consumed() => _room.Release();
}
