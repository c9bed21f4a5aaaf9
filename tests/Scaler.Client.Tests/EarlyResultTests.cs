using Scaler.ClientTests.Support;
using Scaler.Functions;

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

    [Fact]
    public async Task Submit_SuccessStoredUnderItsTaskResultId_CompletesBeforeTheResultMessage()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.NamesResultsByTask = true;
        fixture.Scheduler.WithholdResultMessages = true;

        var future = fixture.Client.Submit(RemoteFunctions.Square, 9);

        // Done while the result message is still held back by the fake: it can only go out below.
        Assert.Equal(81, await future.AsTask().WaitAsync(fixture.Token));
        await fixture.Scheduler.WaitForWithheldAsync(1, fixture.Token);

        // The late result message finds the task done and changes nothing.
        await fixture.Scheduler.SendWithheldResultsAsync();
        Assert.Equal(64, await fixture.Client.Submit(RemoteFunctions.Square, 8).AsTask().WaitAsync(fixture.Token));
        Assert.Equal(81, await future.AsTask());
    }

    [Fact]
    public async Task Submit_FailureStoredUnderItsTaskErrorId_WaitsForTheResultMessage()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.NamesResultsByTask = true;
        fixture.Scheduler.WithholdResultMessages = true;

        var future = fixture.Client.Submit(RemoteFunctions.Explode, 5);
        await fixture.Scheduler.WaitForWithheldAsync(1, fixture.Token);

        // The error is stored, under another ID: the early get still waits and the future is not done.
        Assert.False(future.Done);
        Assert.Equal(1, fixture.Scheduler.StorageWaitingRequests);

        await fixture.Scheduler.SendWithheldResultsAsync();
        var error = await Assert.ThrowsAsync<TaskFailedException>(() => future.AsTask().WaitAsync(fixture.Token));
        Assert.Contains("the value 5 is not acceptable", error.Message, StringComparison.Ordinal);
        await EventuallyAsync(() => fixture.Scheduler.StorageWaitingRequests == 0, fixture.Token);
    }

    [Fact]
    public async Task Submit_ResultAndResultMessageRace_EveryTaskCompletesOnceWithItsResult()
    {
        // Sequential round trips: each result reaches the client by both ways at about the same time, so either may
        // complete the task first (a race that once left a get waiting for a result the other way had deleted).
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.NamesResultsByTask = true;

        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(i * i, await fixture.Client.Submit(RemoteFunctions.Square, i).AsTask().WaitAsync(fixture.Token));
        }

        await EventuallyAsync(() => fixture.Scheduler.StorageWaitingRequests == 0, fixture.Token);
    }

    private static async Task EventuallyAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
