using Scaler.ClientTests.Support;

namespace Scaler.ClientTests;

/// <summary>
/// The client asks object storage for a task's result when it sends the task (our workers store it under an ID the
/// client can compute), and ends that get whenever the result will not land there.
/// </summary>
public sealed class EarlyResultTests
{
    [Fact]
    public async Task Submit_WorkerNamesResultByTask_TheGetWaitsWhileTheTaskRunsAndServesTheResult()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.NamesResultsByTask = true;
        fixture.Scheduler.HoldTasks = true;

        var future = fixture.Client.Submit(RemoteFunctions.Square, 7);
        await fixture.Scheduler.WaitForHeldAsync(1, fixture.Token);
        await EventuallyAsync(() => fixture.Scheduler.StorageWaitingRequests == 1, fixture.Token);
        fixture.Scheduler.ReleaseAll();

        Assert.Equal(49, await future.AsTask().WaitAsync(fixture.Token));
        Assert.Equal(0, fixture.Scheduler.StorageWaitingRequests);
    }

    [Fact]
    public async Task Submit_WorkerNamesResultItsOwnWay_TheEarlyGetIsEnded()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.HoldTasks = true;

        var future = fixture.Client.Submit(RemoteFunctions.Square, 8);
        await fixture.Scheduler.WaitForHeldAsync(1, fixture.Token);
        await EventuallyAsync(() => fixture.Scheduler.StorageWaitingRequests == 1, fixture.Token);
        fixture.Scheduler.ReleaseAll();

        Assert.Equal(64, await future.AsTask().WaitAsync(fixture.Token));
        await EventuallyAsync(() => fixture.Scheduler.StorageWaitingRequests == 0, fixture.Token);
    }

    [Fact]
    public async Task Cancel_HeldTask_TheEarlyGetIsEnded()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.NamesResultsByTask = true;
        fixture.Scheduler.HoldTasks = true;

        var future = fixture.Client.Submit(RemoteFunctions.Square, 3);
        await fixture.Scheduler.WaitForHeldAsync(1, fixture.Token);
        await EventuallyAsync(() => fixture.Scheduler.StorageWaitingRequests == 1, fixture.Token);
        future.Cancel();

        await Assert.ThrowsAsync<TaskCanceledException>(() => future.AsTask().WaitAsync(fixture.Token));
        await EventuallyAsync(() => fixture.Scheduler.StorageWaitingRequests == 0, fixture.Token);
    }

    [Fact]
    public async Task Submit_ManyTasksInFlight_OnlyAFewGetEarlyGetsAndAllComplete()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.NamesResultsByTask = true;
        fixture.Scheduler.HoldTasks = true;

        var futures = Enumerable.Range(0, 20).Select(i => fixture.Client.Submit(RemoteFunctions.Square, i)).ToList();
        await fixture.Scheduler.WaitForHeldAsync(20, fixture.Token);
        await EventuallyAsync(() => fixture.Scheduler.StorageWaitingRequests == 8, fixture.Token);
        await Task.Delay(200, fixture.Token); // gets sent with the later tasks, if any, have landed by now
        Assert.Equal(8, fixture.Scheduler.StorageWaitingRequests);
        fixture.Scheduler.ReleaseAll();

        var results = await Task.WhenAll(futures.Select(f => f.AsTask())).WaitAsync(fixture.Token);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * i), results);
        Assert.Equal(0, fixture.Scheduler.StorageWaitingRequests);
    }

    private static async Task EventuallyAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
