using Microsoft.Extensions.Time.Testing;
using Scaler.ClientTests.Support;

namespace Scaler.ClientTests;

public sealed class ThreadingTests
{
    [Fact]
    public async Task BlockingCalls_UnderAContextThatNeverRunsCallbacks_DoNotDeadlock()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var scheduler = await FakeScheduler.StartAsync(timeout.Token);
        IReadOnlyList<int>? mapped = null;
        int single = 0;
        Exception? failure = null;

        // A UI-like thread whose context drops every posted continuation: anything that captured it would hang.
        var thread = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(new NeverRunsContext());
            try
            {
                using var client = new Client(scheduler.Address, ClientFixture.FastOptions());
                single = client.Submit(RemoteFunctions.Square, 9).Result;
                mapped = client.Map(RemoteFunctions.Square, Enumerable.Range(0, 10));
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();

        Assert.True(thread.Join(TimeSpan.FromSeconds(25)), "the blocking calls hung under a synchronization context");
        Assert.Null(failure);
        Assert.Equal(81, single);
        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), mapped);
    }

    [Fact]
    public async Task Submit_FromManyThreadsAtOnce_EveryFutureGetsItsOwnResult()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var futures = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            Enumerable.Range(t * 50, 50).Select(x => (x, fixture.Client.Submit(RemoteFunctions.Square, x))).ToList())));

        foreach (var (x, future) in futures.SelectMany(f => f))
        {
            Assert.Equal(x * x, await future.AsTask().WaitAsync(fixture.Token));
        }
    }

    [Fact]
    public async Task SchedulerSilentLongerThanTheTimeout_PendingFuturesFail()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var scheduler = await FakeScheduler.StartAsync(timeout.Token);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = ClientFixture.FastOptions();
        options.TimeProvider = time;
        options.HeartbeatInterval = TimeSpan.FromSeconds(2);
        options.SchedulerTimeout = TimeSpan.FromSeconds(10);
        await using var client = await Client.ConnectAsync(scheduler.Address, options, timeout.Token);
        scheduler.HoldTasks = true;
        scheduler.AnswerHeartbeats = false;
        var future = client.Submit(RemoteFunctions.Square, 3);
        await scheduler.WaitForHeldAsync(1, timeout.Token);

        while (!future.Done)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10, timeout.Token);
        }

        var error = await Assert.ThrowsAsync<ScalerClientException>(() => future.AsTask());
        Assert.Contains("no message for", error.Message, StringComparison.Ordinal);
        Assert.True(time.GetUtcNow() - DateTimeOffset.UnixEpoch > options.SchedulerTimeout);
    }

    private sealed class NeverRunsContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            // Dropped on purpose.
        }

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new InvalidOperationException("no synchronous dispatch on this context");
    }
}
