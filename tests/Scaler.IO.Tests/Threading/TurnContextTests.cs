using System.Threading.Channels;
using Scaler.IO.Threading;

namespace Scaler.IO.Tests.Threading;

/// <summary>
/// A turn defers what is posted during it to its end, on the thread that opened it; outside a turn the context hands
/// work to the pool. Loops under the context therefore take a burst as one wake-up.
/// </summary>
public sealed class TurnContextTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void PostInsideATurn_RunsWhenItEnds_OnTheOpeningThread_InOrder_WithWhatItPosts()
    {
        var before = SynchronizationContext.Current;
        var ran = new List<(string Name, int Thread, bool UnderContext)>();
        void Record(string name) => ran.Add((name, Environment.CurrentManagedThreadId, SynchronizationContext.Current == TurnContext.Instance));

        var opened = TurnContext.Begin();
        Assert.True(opened);
        Assert.True(TurnContext.InTurn);
        TurnContext.Instance.Post(_ => Record("a"), null);
        TurnContext.Instance.Post(
            _ =>
            {
                Record("b");
                TurnContext.Instance.Post(_ => Record("c"), null);
            },
            null);
        Assert.Empty(ran);

        TurnContext.End(opened);

        Assert.False(TurnContext.InTurn);
        Assert.Equal(["a", "b", "c"], ran.Select(r => r.Name));
        Assert.All(ran, r => Assert.Equal(Environment.CurrentManagedThreadId, r.Thread));
        Assert.All(ran, r => Assert.True(r.UnderContext));
        Assert.Same(before, SynchronizationContext.Current);
    }

    [Fact]
    public void NestedBegin_DoesNotOpenASecondTurn_AndOnlyTheOpenerEndsIt()
    {
        var ran = false;
        var outer = TurnContext.Begin();
        var inner = TurnContext.Begin();
        Assert.False(inner);

        TurnContext.Instance.Post(_ => ran = true, null);
        TurnContext.End(inner);
        Assert.False(ran);
        Assert.True(TurnContext.InTurn);

        TurnContext.End(outer);
        Assert.True(ran);
        Assert.False(TurnContext.InTurn);
    }

    [Fact]
    public async Task PostOutsideATurn_RunsOnThePool_UnderTheContext_InATurnOfItsOwn()
    {
        Assert.False(TurnContext.InTurn);
        var observed = new TaskCompletionSource<(bool Pool, bool UnderContext, bool InTurn)>(TaskCreationOptions.RunContinuationsAsynchronously);

        TurnContext.Instance.Post(
            _ => observed.SetResult((Thread.CurrentThread.IsThreadPoolThread, SynchronizationContext.Current == TurnContext.Instance, TurnContext.InTurn)),
            null);

        var (pool, underContext, inTurn) = await observed.Task.WaitAsync(Bound);
        Assert.True(pool);
        Assert.True(underContext);
        Assert.True(inTurn);
    }

    [Fact]
    public async Task AContinuationThatThrows_LeavesTheRestToThePool_AndClosesTheTurn()
    {
        var after = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var opened = TurnContext.Begin();
        TurnContext.Instance.Post(_ => throw new InvalidOperationException("boom"), null);
        TurnContext.Instance.Post(_ => after.SetResult(Thread.CurrentThread.IsThreadPoolThread), null);

        Assert.Throws<InvalidOperationException>(() => TurnContext.End(opened));

        Assert.False(TurnContext.InTurn);
        Assert.True(await after.Task.WaitAsync(Bound));
    }

    [Fact]
    public async Task ALoopUnderTheContext_WokenInsideATurn_TakesTheWholeBurstOnTheTurnsThread()
    {
        var channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
        var wakes = new List<Wake>();
        var loop = StartUnderContext(() => ConsumeAsync(channel.Reader, wakes));

        // The loop now waits on the empty channel with the context captured; a burst arrives inside a turn.
        var opened = TurnContext.Begin();
        for (var i = 0; i < 5; i++)
        {
            channel.Writer.TryWrite(i);
        }

        Assert.Empty(wakes);
        TurnContext.End(opened);

        var wake = Assert.Single(wakes);
        Assert.Equal(Environment.CurrentManagedThreadId, wake.Thread);
        Assert.Equal([0, 1, 2, 3, 4], wake.Items);

        channel.Writer.Complete();
        await loop.WaitAsync(Bound);
    }

    [Fact]
    public async Task ALoopUnderTheContext_WokenOutsideATurn_RunsOnThePool()
    {
        var channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
        var wakes = new List<Wake>();
        var loop = StartUnderContext(() => ConsumeAsync(channel.Reader, wakes));

        channel.Writer.TryWrite(7);
        channel.Writer.Complete();
        await loop.WaitAsync(Bound);

        // Not run inline by the writer (which is in no turn): on the pool, in a turn of its own.
        var wake = Assert.Single(wakes);
        Assert.Equal([7], wake.Items);
        Assert.True(wake.InTurn);
    }

    [Fact]
    public async Task SwitchTo_ResumesUnderTheContext()
    {
        var underContext = await Task.Run(async () =>
        {
            await TurnContext.SwitchTo();
            return SynchronizationContext.Current == TurnContext.Instance && TurnContext.InTurn;
        }).WaitAsync(Bound);

        Assert.True(underContext);
    }

    private sealed record Wake(int Thread, bool InTurn, int[] Items);

    /// <summary>Starts <paramref name="start"/> on this thread with the context current, so its first await captures it.</summary>
    private static Task StartUnderContext(Func<Task> start)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(TurnContext.Instance);
        try
        {
            return start();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private static async Task ConsumeAsync(ChannelReader<int> reader, List<Wake> wakes)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(true))
        {
            var items = new List<int>();
            while (reader.TryRead(out var item))
            {
                items.Add(item);
            }

            lock (wakes)
            {
                wakes.Add(new Wake(Environment.CurrentManagedThreadId, TurnContext.InTurn, [.. items]));
            }
        }
    }
}
