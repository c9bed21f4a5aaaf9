using Scaler.ClientTests.Support;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests;

/// <summary>What <see cref="TaskOptions"/> puts in the <c>Task</c> messages the scheduler sees, and what it stops.</summary>
public sealed class TaskOptionsWireTests
{
    private static readonly TaskOptions GpuFirst = new()
    {
        Capabilities = new Dictionary<string, long> { ["gpu"] = TaskOptions.Present, ["dotnet"] = TaskOptions.Present, ["memory"] = 4096 },
        Priority = 7,
    };

    /// <summary>The reference's <c>struct.pack("!?i?", False, 7, False)</c>.</summary>
    private static readonly byte[] PriorityMetadata = [0, 0, 0, 0, 7, 0];

    /// <summary>Capabilities in the order they are sent: ordinal by name.</summary>
    private static readonly (string Name, long Value)[] GpuFirstOnTheWire = [("dotnet", -1), ("gpu", -1), ("memory", 4096)];

    private static void AssertCarries(TaskMessage task, (string Name, long Value)[] capabilities, byte[] metadata)
    {
        Assert.Equal(capabilities, task.Capabilities.Select(c => (c.Name, c.Value)));
        Assert.Equal(metadata, task.Metadata);
    }

    [Fact]
    public async Task Submit_WithOptions_TheTaskCarriesTheCapabilitiesAndPriority()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var result = await fixture.Client.Submit(RemoteFunctions.Square, 7, GpuFirst).AsTask().WaitAsync(fixture.Token);
        var viaAsyncFunction = await fixture.Client.Submit(RemoteFunctions.DoubleLaterAsync, 4, options: GpuFirst).AsTask().WaitAsync(fixture.Token);

        Assert.Equal(49, result);
        Assert.Equal(8, viaAsyncFunction);
        var tasks = fixture.Scheduler.ReceivedOf<TaskMessage>().ToList();
        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, t => AssertCarries(t, GpuFirstOnTheWire, PriorityMetadata));
    }

    [Fact]
    public async Task Submit_PriorityIsBigEndianInt32BetweenTheTwoFlagBytes()
    {
        await using var fixture = await ClientFixture.StartAsync();

        await fixture.Client.Submit(RemoteFunctions.Square, 2, new TaskOptions { Priority = 0x01020304 }).AsTask().WaitAsync(fixture.Token);

        var task = Assert.Single(fixture.Scheduler.ReceivedOf<TaskMessage>());
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 0 }, task.Metadata);
        Assert.Empty(task.Capabilities);
    }

    [Fact]
    public async Task Submit_DefaultOptions_SendWhatTheReferenceClientSends()
    {
        await using var fixture = await ClientFixture.StartAsync();

        await fixture.Client.Submit(RemoteFunctions.Square, 1).AsTask().WaitAsync(fixture.Token);
        await fixture.Client.Submit(RemoteFunctions.Square, 2, null).AsTask().WaitAsync(fixture.Token);
        await fixture.Client.Submit(RemoteFunctions.Square, 3, new TaskOptions()).AsTask().WaitAsync(fixture.Token);
        await fixture.Client.Submit(RemoteFunctions.Square, 4, TaskOptions.Default).AsTask().WaitAsync(fixture.Token);
        await fixture.Client.MapAsync(RemoteFunctions.Square, [5, 6], fixture.Token);
        await fixture.Client.SubmitGraphAsync(new TaskGraph().Value("a", 1).Call("b", RemoteFunctions.Inc, "a"), ["b"], fixture.Token);

        var tasks = fixture.Scheduler.ReceivedOf<TaskMessage>()
            .Concat(fixture.Scheduler.ReceivedOf<GraphTask>().SelectMany(g => g.Graph)).ToList();
        Assert.Equal(7, tasks.Count);
        Assert.All(tasks, t => AssertCarries(t, [], "\0\0\0\0\0\0"u8.ToArray()));
    }

    [Fact]
    public async Task Map_WithOptions_EveryTaskCarriesThem()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var squares = await Task.Run(() => fixture.Client.Map(RemoteFunctions.Square, Enumerable.Range(0, 20), GpuFirst)).WaitAsync(fixture.Token);
        var sums = await Task.Run(() => fixture.Client.Map(RemoteFunctions.Add, [1, 2], [10, 20], GpuFirst)).WaitAsync(fixture.Token);
        var doubled = await Task.Run(() => fixture.Client.Map(RemoteFunctions.DoubleLaterAsync, [1, 2, 3], GpuFirst)).WaitAsync(fixture.Token);

        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * x), squares);
        Assert.Equal([11, 22], sums);
        Assert.Equal([2, 4, 6], doubled);
        var tasks = fixture.Scheduler.ReceivedOf<TaskMessage>().ToList();
        Assert.Equal(25, tasks.Count);
        Assert.All(tasks, t => AssertCarries(t, GpuFirstOnTheWire, PriorityMetadata));
    }

    [Fact]
    public async Task MapAsync_WithOptions_EveryTaskCarriesThem()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var squares = await fixture.Client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 10), GpuFirst, fixture.Token);
        var doubled = await fixture.Client.MapAsync(RemoteFunctions.DoubleLaterAsync, [1, 2], GpuFirst, fixture.Token);

        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), squares);
        Assert.Equal([2, 4], doubled);
        var tasks = fixture.Scheduler.ReceivedOf<TaskMessage>().ToList();
        Assert.Equal(12, tasks.Count);
        Assert.All(tasks, t => AssertCarries(t, GpuFirstOnTheWire, PriorityMetadata));
    }

    [Fact]
    public async Task Starmap_WithOptions_EveryTaskCarriesThem()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var two = await Task.Run(() => fixture.Client.Starmap(RemoteFunctions.Add, [(1, 2), (3, 4)], GpuFirst)).WaitAsync(fixture.Token);
        var three = await Task.Run(() => fixture.Client.Starmap(RemoteFunctions.Add3, [(1, 2, 3)], GpuFirst)).WaitAsync(fixture.Token);
        var twoAsync = await fixture.Client.StarmapAsync(RemoteFunctions.Add, [(5, 6)], GpuFirst, fixture.Token);

        Assert.Equal([3, 7], two);
        Assert.Equal([6], three);
        Assert.Equal([11], twoAsync);
        var tasks = fixture.Scheduler.ReceivedOf<TaskMessage>().ToList();
        Assert.Equal(4, tasks.Count);
        Assert.All(tasks, t => AssertCarries(t, GpuFirstOnTheWire, PriorityMetadata));
    }

    [Fact]
    public async Task SubmitGraph_WithOptions_EveryCallOfTheGraphCarriesThem()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var graph = new TaskGraph()
            .Value("a", 1).Value("b", 2)
            .Call("c", RemoteFunctions.Inc, "a").Call("d", RemoteFunctions.Inc, "b")
            .Call("e", RemoteFunctions.Add, "c", "d");

        var blocking = await Task.Run(() => fixture.Client.SubmitGraph(graph, ["e"], GpuFirst)).WaitAsync(fixture.Token);
        var awaited = await fixture.Client.SubmitGraphAsync(graph, ["e", "c"], GpuFirst, fixture.Token);

        Assert.Equal(5, blocking["e"]);
        Assert.Equal(5, awaited["e"]);
        Assert.Equal(2, awaited["c"]);
        var graphs = fixture.Scheduler.ReceivedOf<GraphTask>().ToList();
        Assert.Equal(2, graphs.Count);
        Assert.All(graphs, g => Assert.Equal(3, g.Graph.Count));
        Assert.All(graphs.SelectMany(g => g.Graph), t => AssertCarries(t, GpuFirstOnTheWire, PriorityMetadata));
    }

    [Fact]
    public async Task InvalidOptions_EverySubmittingCallThrowsNamingThePropertyAndSendsNothing()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var badName = new TaskOptions { Capabilities = new Dictionary<string, long> { ["gpu,linux"] = -1 } };
        var badPriority = new TaskOptions { Priority = -1 };
        var graph = new TaskGraph().Value("a", 1).Call("b", RemoteFunctions.Inc, "a");
        var client = fixture.Client;

        Action[] calls =
        [
            () => client.Submit(RemoteFunctions.Square, 1001, badName),
            () => client.Submit(() => 1002, badName),
            () => client.Submit(RemoteFunctions.DoubleLaterAsync, 1003, badName),
            () => client.Map(RemoteFunctions.Square, [1004, 1005], badName),
            () => client.Map(RemoteFunctions.Add, [1006], [1007], badName),
            () => client.Starmap(RemoteFunctions.Add, [(1008, 1009)], badName),
            () => client.Starmap(RemoteFunctions.Add3, [(1, 2, 1010)], badName),
            () => client.SubmitGraph(graph, ["b"], badName),
            () => _ = client.MapAsync(RemoteFunctions.Square, [1011], badName, fixture.Token),
            () => _ = client.StarmapAsync(RemoteFunctions.Add, [(1012, 1013)], badName, fixture.Token),
        ];
        foreach (var call in calls)
        {
            Assert.Equal("Capabilities", Assert.Throws<ArgumentException>(call).ParamName);
        }

        Assert.Equal("Priority", Assert.Throws<ArgumentOutOfRangeException>(() => client.Submit(RemoteFunctions.Square, 1014, badPriority)).ParamName);
        Assert.Equal("Priority", Assert.Throws<ArgumentOutOfRangeException>(() => client.Map(RemoteFunctions.Square, [1015], badPriority)).ParamName);
        var graphError = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SubmitGraphAsync(graph, ["b"], badPriority, fixture.Token));
        Assert.Equal("Priority", graphError.ParamName);
        Assert.Equal(0, client.PendingTaskCount);

        // The send loop is first in, first out: once a good task's result is back, anything the bad calls had queued
        // would have been sent before it.
        Assert.Equal(4, await client.Submit(RemoteFunctions.Square, 2).AsTask().WaitAsync(fixture.Token));
        var task = Assert.Single(fixture.Scheduler.ReceivedOf<TaskMessage>());
        AssertCarries(task, [], new byte[6]);
        Assert.Empty(fixture.Scheduler.ReceivedOf<GraphTask>());
        Assert.Empty(fixture.Scheduler.ReceivedOf<TaskCancel>());
        var announcedNames = fixture.Scheduler.ReceivedOf<ObjectInstruction>()
            .SelectMany(i => i.ObjectMetadata.ObjectNames).Select(n => System.Text.Encoding.UTF8.GetString(n)).ToList();
        Assert.Equal(["serializer", nameof(RemoteFunctions.Square), .. announcedNames.Skip(2)], announcedNames);
        Assert.Single(announcedNames.Skip(2)); // the good task's one argument
    }
}
