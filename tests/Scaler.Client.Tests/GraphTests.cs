using Scaler.ClientTests.Support;
using Scaler.Functions;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests;

public sealed class GraphTests
{
    private static TaskGraph Diamond() => new TaskGraph()
        .Value("a", 1).Value("b", 2)
        .Call("c", RemoteFunctions.Inc, "a").Call("d", RemoteFunctions.Inc, "b")
        .Call("e", RemoteFunctions.Add, "c", "d")
        .Call("unused", RemoteFunctions.Square, "a");

    [Fact]
    public async Task SubmitGraph_Diamond_ReturnsTheRequestedKeys()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var results = await Task.Run(() => fixture.Client.SubmitGraph(Diamond(), ["e", "a"])).WaitAsync(fixture.Token);

        Assert.Equal(["e", "a"], results.Keys);
        Assert.Equal(5, results["e"]);
        Assert.Equal(1, results["a"]);
    }

    [Fact]
    public async Task SubmitGraph_SendsOnlyNeededCallsWithTaskReferences()
    {
        await using var fixture = await ClientFixture.StartAsync();

        await fixture.Client.SubmitGraphAsync(Diamond(), ["e"], fixture.Token);

        var graph = Assert.Single(fixture.Scheduler.ReceivedOf<GraphTask>());
        Assert.Equal(3, graph.Graph.Count); // c, d, e; "unused" is culled
        var e = Assert.Single(graph.Graph, t => t.FunctionArgs.All(a => a.Type == ArgumentType.Task));
        Assert.Equal(Convert.ToHexString(e.TaskId), Convert.ToHexString(Assert.Single(graph.Targets)));
        var producers = graph.Graph.Where(t => t != e).Select(t => Convert.ToHexString(t.TaskId)).ToHashSet();
        Assert.All(e.FunctionArgs, a => Assert.Contains(Convert.ToHexString(a.Data), producers));
        Assert.All(graph.Graph.Where(t => t != e), t => Assert.Equal(ArgumentType.ObjectID, Assert.Single(t.FunctionArgs).Type));
        Assert.Empty(fixture.Scheduler.ReceivedOf<TaskMessage>());
        Assert.Equal(fixture.Client.Identity, System.Text.Encoding.ASCII.GetString(graph.Source));
    }

    [Fact]
    public async Task SubmitGraph_FailingNode_ThrowsTheRemoteFailure()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var graph = new TaskGraph().Value("a", 3).Call("boom", RemoteFunctions.Explode, "a").Call("after", RemoteFunctions.Inc, "boom");

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => fixture.Client.SubmitGraphAsync(graph, ["after"], fixture.Token));

        Assert.Equal("the value 3 is not acceptable", error.RemoteMessage);
    }

    [Fact]
    public async Task SubmitGraphAsFutures_FailingNode_FailsItsDependentsWithItsError_AndAnIndependentCallSucceeds()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var graph = new TaskGraph().Value("a", 3)
            .Call("boom", RemoteFunctions.Explode, "a").Call("after", RemoteFunctions.Inc, "boom").Call("later", RemoteFunctions.Inc, "after")
            .Call("fine", RemoteFunctions.Inc, "a");

        var futures = fixture.Client.SubmitGraphAsFutures(graph, ["later", "fine", "a"]);

        Assert.Equal(["later", "fine", "a"], futures.Keys);
        Assert.True(futures["a"].Done);
        Assert.Equal(3, futures["a"].Result);
        Assert.Equal(4, await futures["fine"].AsTask().WaitAsync(fixture.Token));
        var error = await Assert.ThrowsAsync<TaskFailedException>(() => futures["later"].AsTask().WaitAsync(fixture.Token));
        Assert.Equal("the value 3 is not acceptable", error.RemoteMessage);
        Assert.False(futures["later"].IsCanceled);
    }

    [Fact]
    public async Task SubmitGraphAsFutures_ReturnsOnlyTheKeysAskedFor()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var futures = fixture.Client.SubmitGraphAsFutures(Diamond(), ["e"]);

        Assert.Equal(["e"], futures.Keys);
        Assert.Equal(5, await futures["e"].AsTask().WaitAsync(fixture.Token));
        var graph = Assert.Single(fixture.Scheduler.ReceivedOf<GraphTask>());
        Assert.Equal(Convert.ToHexString(Assert.Single(graph.Targets)), futures["e"].Id.ToUpperInvariant());
    }

    [Fact]
    public async Task SubmitGraph_OfValueKeysOnly_ReturnsThemWithoutSendingAnything()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var results = fixture.Client.SubmitGraph(Diamond(), ["b", "a"]);

        Assert.Equal(["b", "a"], results.Keys);
        Assert.Equal(new object?[] { 2, 1 }, results.Values);
        Assert.Empty(fixture.Scheduler.ReceivedOf<GraphTask>());
        Assert.Equal(0, fixture.Client.PendingTaskCount);
    }

    [Fact]
    public async Task SubmitGraph_EmptyGraphOrNoKeys_ThrowBeforeSending()
    {
        await using var fixture = await ClientFixture.StartAsync();

        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraph(new TaskGraph(), ["a"])).Message, StringComparison.Ordinal);
        Assert.Contains("no keys", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraphAsFutures(Diamond(), [])).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.SubmitGraphAsync(new TaskGraph(), [], fixture.Token));
        Assert.Empty(fixture.Scheduler.ReceivedOf<GraphTask>());
        Assert.Equal(0, fixture.Client.PendingTaskCount);
    }

    [Fact]
    public async Task SubmitGraph_BadGraphs_ThrowBeforeSending()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var cycle = new TaskGraph().Call("x", RemoteFunctions.Inc, "y").Call("y", RemoteFunctions.Inc, "x");
        var wrongType = new TaskGraph().Value("s", "text").Call("n", RemoteFunctions.Inc, "s");
        var missing = new TaskGraph().Call("n", RemoteFunctions.Inc, "nowhere");

        Assert.Contains("cycle", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraph(cycle, ["x"])).Message, StringComparison.Ordinal);
        Assert.Contains("argument 0", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraph(wrongType, ["n"])).Message, StringComparison.Ordinal);
        Assert.Contains("'nowhere'", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraph(missing, ["n"])).Message, StringComparison.Ordinal);
        Assert.Contains("'zz'", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraph(Diamond(), ["zz"])).Message, StringComparison.Ordinal);
        Assert.Contains("duplicate", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraph(Diamond(), ["e", "e"])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new TaskGraph().Value("a", 1).Value("a", 2));
        Assert.Contains("cycle", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraphAsFutures(cycle, ["y"])).Message, StringComparison.Ordinal);
        Assert.Contains("'nowhere'", Assert.Throws<ArgumentException>(() => fixture.Client.SubmitGraphAsFutures(missing, ["n"])).Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Scheduler.ReceivedOf<GraphTask>());
        Assert.Equal(0, fixture.Client.PendingTaskCount);
    }
}
