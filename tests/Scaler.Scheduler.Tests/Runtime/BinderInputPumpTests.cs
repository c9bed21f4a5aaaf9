using System.Threading.Channels;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.Scheduler.Runtime;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>
/// <see cref="BinderInputPump"/>: the bound between the binder's inbox and the scheduler's loop. The test drives the
/// pump in turns opened on its own thread, so every step it takes runs when the turn ends, on this thread: no timing.
/// </summary>
public sealed class BinderInputPumpTests
{
    private const int Capacity = 8;
    private const int Beyond = 5;

    [Fact]
    public void WhenTheLoopTakesNothing_ThePumpWaitsAtTheBound_AndEverythingArrivesInOrderWhenItCatchesUp()
    {
        var events = Channel.CreateUnbounded<YmqBinderEvent>();
        var inputs = Channel.CreateUnbounded<SchedulerInput>();
        var pump = new BinderInputPump(Capacity);
        var peer = PeerIdentity.FromString("client");
        var sent = Enumerable.Range(0, Capacity + Beyond).Select(i => new YmqFrameReceived(peer, new[] { (byte)i })).ToList();
        foreach (var e in sent)
        {
            Assert.True(events.Writer.TryWrite(e));
        }

        var running = InTurn(() => pump.RunAsync(events.Reader, inputs.Writer, CancellationToken.None));

        // The loop is blocked: the pump queued the bound, holds the next event while it waits for room, and leaves the
        // rest in the binder's inbox (where the transport's byte budget holds the peers back).
        Assert.Equal(Capacity, inputs.Reader.Count);
        Assert.Equal(0, pump.Room);
        Assert.Equal(Beyond - 1, events.Reader.Count);
        Assert.False(running.IsCompleted);

        // The loop catches up, one input at a time: the pump queues one more each time, never beyond the bound.
        var received = new List<YmqBinderEvent>();
        while (received.Count < sent.Count)
        {
            Assert.True(inputs.Reader.TryRead(out var input));
            received.Add(Assert.IsType<BinderInput>(input).Event);
            InTurn(pump.Consumed);
            Assert.Equal(Math.Min(Capacity, sent.Count - received.Count), inputs.Reader.Count);
        }

        Assert.Equal(sent, received);
        Assert.Equal(Capacity, pump.Room);
        Assert.False(running.IsCompleted);

        InTurn(() => events.Writer.Complete());
        Assert.True(running.IsCompletedSuccessfully);
    }

    [Fact]
    public void TheWaitingPump_ResumesInTheTurnThatMadeRoom_OnItsThread_AtItsEnd()
    {
        var events = Channel.CreateUnbounded<YmqBinderEvent>();
        var inputs = Channel.CreateUnbounded<SchedulerInput>();
        var pump = new BinderInputPump(1);
        var peer = PeerIdentity.FromString("client");
        events.Writer.TryWrite(new YmqPeerConnected(peer));
        events.Writer.TryWrite(new YmqPeerDisconnected(peer, default, null));
        InTurn(() => pump.RunAsync(events.Reader, inputs.Writer, CancellationToken.None));
        Assert.True(inputs.Reader.TryRead(out _));

        var opened = TurnContext.Begin();
        Assert.True(opened);
        try
        {
            pump.Consumed();

            // Queued to this turn (the turn chain): not run at once, and not handed to the pool.
            Assert.Equal(0, inputs.Reader.Count);
        }
        finally
        {
            TurnContext.End(opened);
        }

        Assert.Equal(1, inputs.Reader.Count);
    }

    [Fact]
    public async Task Canceling_StopsAWaitingPump()
    {
        var events = Channel.CreateUnbounded<YmqBinderEvent>();
        var inputs = Channel.CreateUnbounded<SchedulerInput>();
        var pump = new BinderInputPump(1);
        var peer = PeerIdentity.FromString("client");
        events.Writer.TryWrite(new YmqPeerConnected(peer));
        events.Writer.TryWrite(new YmqPeerConnected(peer));
        using var stopping = new CancellationTokenSource();
        var running = InTurn(() => pump.RunAsync(events.Reader, inputs.Writer, stopping.Token));
        Assert.False(running.IsCompleted);

        await stopping.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, inputs.Reader.Count);
    }

    private static T InTurn<T>(Func<T> action)
    {
        var opened = TurnContext.Begin();
        Assert.True(opened);
        try
        {
            return action();
        }
        finally
        {
            TurnContext.End(opened);
        }
    }

    private static void InTurn(Action action) => InTurn(() =>
    {
        action();
        return 0;
    });
}
