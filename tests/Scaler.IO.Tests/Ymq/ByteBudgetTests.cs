using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Tests.Ymq;

public sealed class ByteBudgetTests
{
    [Fact]
    public async Task Acquire_OverLimit_WaitsUntilReleased()
    {
        var budget = new ByteBudget(100);
        Assert.True(await budget.AcquireAsync(80, CancellationToken.None));

        var waiting = budget.AcquireAsync(30, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        budget.Release(80);
        Assert.True(await waiting);
        Assert.Equal(30, budget.Used);
    }

    [Fact]
    public async Task WhenIdle_CompletesOnlyOnceNothingIsInUse_NotWhileAWaiterTakesTheReleasedBytes()
    {
        var budget = new ByteBudget(100);
        Assert.True(budget.WhenIdleAsync().IsCompleted);
        Assert.True(await budget.AcquireAsync(100, CancellationToken.None));
        var waiting = budget.AcquireAsync(50, CancellationToken.None).AsTask();
        var idle = budget.WhenIdleAsync();

        budget.Release(100);
        Assert.True(await waiting);
        Assert.False(idle.IsCompleted);

        budget.Release(50);
        await idle.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Acquire_LargerThanLimit_IsGrantedWhenEmpty()
    {
        var budget = new ByteBudget(10);

        Assert.True(await budget.AcquireAsync(1000, CancellationToken.None));
        Assert.False(budget.AcquireAsync(1, CancellationToken.None).AsTask().IsCompleted);
    }

    [Fact]
    public async Task Acquire_IsFirstInFirstOut()
    {
        var budget = new ByteBudget(100);
        Assert.True(await budget.AcquireAsync(100, CancellationToken.None));
        var big = budget.AcquireAsync(90, CancellationToken.None).AsTask();
        var small = budget.AcquireAsync(5, CancellationToken.None).AsTask();

        Assert.False(small.IsCompleted);
        budget.Release(100);

        Assert.True(await big);
        Assert.True(await small);
    }

    [Fact]
    public async Task Acquire_Cancelled_LetsTheNextWaiterThrough()
    {
        var budget = new ByteBudget(100);
        Assert.True(await budget.AcquireAsync(60, CancellationToken.None));
        using var cts = new CancellationTokenSource();
        var cancelled = budget.AcquireAsync(90, cts.Token).AsTask();
        var next = budget.AcquireAsync(40, CancellationToken.None).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
        Assert.True(await next);
        Assert.Equal(100, budget.Used);
    }

    [Fact]
    public async Task Close_FailsWaitersAndLaterRequests()
    {
        var budget = new ByteBudget(10);
        Assert.True(await budget.AcquireAsync(10, CancellationToken.None));
        var waiting = budget.AcquireAsync(5, CancellationToken.None).AsTask();

        budget.Close();

        Assert.False(await waiting);
        Assert.False(await budget.AcquireAsync(1, CancellationToken.None));
    }
}
