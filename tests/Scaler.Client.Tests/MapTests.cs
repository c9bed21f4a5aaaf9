using Scaler.ClientTests.Support;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests;

public sealed class MapTests
{
    [Fact]
    public async Task Map_ThousandItems_ReturnsResultsInOrder()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var items = Enumerable.Range(0, 1000).ToArray();

        var results = await Task.Run(() => fixture.Client.Map(RemoteFunctions.Square, items)).WaitAsync(fixture.Token);

        Assert.Equal(items.Select(x => x * x), results);
        Assert.Equal(1000, fixture.Scheduler.ReceivedOf<TaskMessage>().Count());
    }

    [Fact]
    public async Task Map_TwoSequences_PairsThem()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var results = await Task.Run(() => fixture.Client.Map(RemoteFunctions.Add, [1, 2, 3], [10, 20, 30, 40])).WaitAsync(fixture.Token);

        Assert.Equal([11, 22, 33], results);
    }

    [Fact]
    public async Task Starmap_Tuples_UnpacksEachTuple()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var sums = await Task.Run(() => fixture.Client.Starmap(RemoteFunctions.Add, [(1, 10), (2, 20)])).WaitAsync(fixture.Token);
        var triples = await Task.Run(() => fixture.Client.Starmap(RemoteFunctions.Add3, [(1, 2, 3), (4, 5, 6)])).WaitAsync(fixture.Token);

        Assert.Equal([11, 22], sums);
        Assert.Equal([6, 15], triples);
    }

    [Fact]
    public async Task MapAsync_ReturnsResultsInOrder()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var results = await fixture.Client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 50), fixture.Token);

        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x), results);
    }

    [Fact]
    public async Task MapAsync_Cancelled_CancelsTheOutstandingTasks()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Scheduler.HoldTasks = true;
        using var cancel = new CancellationTokenSource();

        var mapping = fixture.Client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 5), cancel.Token);
        await fixture.Scheduler.WaitForHeldAsync(5, fixture.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mapping.WaitAsync(fixture.Token));
        var taskIds = fixture.Scheduler.ReceivedOf<TaskMessage>().Select(t => Convert.ToHexString(t.TaskId)).ToHashSet();
        foreach (var taskId in taskIds)
        {
            var sent = await fixture.Scheduler.WaitForAsync<TaskCancel>(c => Convert.ToHexString(c.TaskId) == taskId, fixture.Token);
            Assert.True(sent.Flags.Force);
        }

        Assert.Equal(0, fixture.Scheduler.HeldCount);
    }

    [Fact]
    public async Task Map_SameArgumentRepeated_StoresItOnce()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var results = await Task.Run(() => fixture.Client.Map(RemoteFunctions.Square, [5, 5, 5, 6])).WaitAsync(fixture.Token);

        Assert.Equal([25, 25, 25, 36], results);
        var tasks = fixture.Scheduler.ReceivedOf<TaskMessage>().ToList();
        Assert.Equal(2, tasks.Select(t => Convert.ToHexString(t.FunctionArgs[0].Data)).Distinct().Count());
        Assert.Single(tasks.Select(t => Convert.ToHexString(t.FuncObjectId)).Distinct());
        Assert.Equal(3, fixture.Client.Agent.ObjectUploads); // one function object, two distinct arguments
    }
}
