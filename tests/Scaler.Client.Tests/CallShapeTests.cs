using Scaler.ClientTests.Support;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests;

/// <summary>
/// The call shapes callers wrote before <see cref="TaskOptions"/> existed still compile, pick the overload they
/// always did, and send the default options; the new shapes compile next to them without ambiguity. Mostly a
/// compile-time test: an ambiguous or broken shape fails the build of this file.
/// </summary>
public sealed class CallShapeTests
{
    [Fact]
    public async Task ExistingCallShapes_CompileUnchanged_AndSendTheDefaults()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var client = fixture.Client;
        var ct = fixture.Token;
        int[] xs = [1, 2];
        int[] ys = [10, 20];
        var graph = new TaskGraph().Value("a", 1).Call("b", RemoteFunctions.Inc, "a");

        Assert.Equal(49, await client.Submit(RemoteFunctions.Square, 7).AsTask().WaitAsync(ct));
        Assert.Equal(3, await client.Submit(() => 3).AsTask().WaitAsync(ct));
        Assert.Equal(3, await client.Submit(RemoteFunctions.Add, 1, 2).AsTask().WaitAsync(ct));
        Assert.Equal(6, await client.Submit(RemoteFunctions.Add3, 1, 2, 3).AsTask().WaitAsync(ct));
        Assert.Equal(21, await client.Submit((int a, int b, int c, int d, int e, int f) => a + b + c + d + e + f, 1, 2, 3, 4, 5, 6).AsTask().WaitAsync(ct));
        Assert.Equal(10, await client.Submit(RemoteFunctions.DoubleLaterAsync, 5).AsTask().WaitAsync(ct));
        Assert.Equal([11, 22], await Task.Run(() => client.Map(RemoteFunctions.Add, xs, ys)).WaitAsync(ct));
        Assert.Equal([1, 4], await Task.Run(() => client.Map(RemoteFunctions.Square, xs)).WaitAsync(ct));
        Assert.Equal([3], await Task.Run(() => client.Starmap(RemoteFunctions.Add, [(1, 2)])).WaitAsync(ct));
        Assert.Equal([1, 4], await client.MapAsync(RemoteFunctions.Square, xs, ct));
        Assert.Equal([1, 4], await client.MapAsync(RemoteFunctions.Square, xs).WaitAsync(ct));
        Assert.Equal([1, 4], await client.MapAsync(RemoteFunctions.Square, xs, default).WaitAsync(ct));
        Assert.Equal([1, 4], await client.MapAsync(RemoteFunctions.Square, xs, cancellationToken: ct));
        Assert.Equal([2, 4], await client.MapAsync(RemoteFunctions.DoubleLaterAsync, xs, ct));
        Assert.Equal([3], await client.StarmapAsync(RemoteFunctions.Add, [(1, 2)], ct));
        Assert.Equal(2, (await client.SubmitGraphAsync(graph, ["b"], ct))["b"]);
        Assert.Equal(2, (await client.SubmitGraphAsync(graph, ["b"], default).WaitAsync(ct))["b"]);
        Assert.Equal(2, (await Task.Run(() => client.SubmitGraph(graph, ["b"])).WaitAsync(ct))["b"]);

        var tasks = fixture.Scheduler.ReceivedOf<TaskMessage>()
            .Concat(fixture.Scheduler.ReceivedOf<GraphTask>().SelectMany(g => g.Graph)).ToList();
        Assert.Equal(25, tasks.Count);
        Assert.All(tasks, t => Assert.Empty(t.Capabilities));
        Assert.All(tasks, t => Assert.Equal(new byte[6], t.Metadata));
    }

    [Fact]
    public async Task NewCallShapes_CompileNextToTheOldOnes()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var client = fixture.Client;
        var ct = fixture.Token;
        var options = new TaskOptions { Priority = 1 };
        int[] xs = [1, 2];
        var graph = new TaskGraph().Value("a", 1).Call("b", RemoteFunctions.Inc, "a");

        Assert.Equal(49, await client.Submit(RemoteFunctions.Square, 7, options).AsTask().WaitAsync(ct));
        Assert.Equal(49, await client.Submit(RemoteFunctions.Square, 7, options: options).AsTask().WaitAsync(ct));
        Assert.Equal(3, await client.Submit(() => 3, options).AsTask().WaitAsync(ct));
        Assert.Equal([1, 4], await client.MapAsync(RemoteFunctions.Square, xs, options, ct));
        Assert.Equal([1, 4], await client.MapAsync(RemoteFunctions.Square, xs, options).WaitAsync(ct));
        Assert.Equal([1, 4], await client.MapAsync(RemoteFunctions.Square, xs, null, ct));
        Assert.Equal([1, 4], await client.MapAsync(RemoteFunctions.Square, xs, options: options, cancellationToken: ct));
        Assert.Equal([3], await client.StarmapAsync(RemoteFunctions.Add, [(1, 2)], options, ct));
        Assert.Equal(2, (await client.SubmitGraphAsync(graph, ["b"], options, ct))["b"]);
        Assert.Equal(2, (await Task.Run(() => client.SubmitGraph(graph, ["b"], options)).WaitAsync(ct))["b"]);

        var tasks = fixture.Scheduler.ReceivedOf<TaskMessage>()
            .Concat(fixture.Scheduler.ReceivedOf<GraphTask>().SelectMany(g => g.Graph)).ToList();
        Assert.Equal(14, tasks.Count);
        Assert.Equal(12, tasks.Count(t => t.Metadata[4] == 1)); // all but the two of MapAsync(..., null, ct)
    }
}
