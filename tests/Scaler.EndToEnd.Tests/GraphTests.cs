using Scaler.EndToEnd.Tests.Support;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// Graph tasks of the .NET client through a real scheduler, object storage server and two native workers (separate
/// <c>scaler-cli</c> processes on 127.0.0.1): what a node that raises does to the nodes that depend on it and to those
/// that do not.
/// </summary>
public sealed class GraphTests : IClassFixture<FixedClusterFixture>
{
    private const string Message = "boom in a graph node";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly FixedClusterFixture _fixture;

    public GraphTests(FixedClusterFixture fixture)
    {
        _fixture = fixture;
    }

    /// <summary>boom raises; after = Square(boom) and last = Add(after, independent) depend on it; independent does not.</summary>
    private static TaskGraph GraphWithAFailingBranch() => new TaskGraph()
        .Value("message", Message).Value("seven", 7)
        .Call("boom", RemoteFunctions.Throw, "message")
        .Call("after", RemoteFunctions.Square, "boom")
        .Call("independent", RemoteFunctions.Square, "seven")
        .Call("last", RemoteFunctions.Add, "after", "independent");

    [Fact]
    public async Task FailingNode_FailsItsDependentsWithItsError_WhileAnIndependentBranchSucceeds()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await _fixture.Cluster.ConnectAsync(cts.Token);

        var futures = client.SubmitGraphAsFutures(GraphWithAFailingBranch(), ["last", "after", "independent", "boom"]);

        Assert.Equal(49, await futures["independent"].AsTask().WaitAsync(cts.Token));
        foreach (var key in new[] { "boom", "after", "last" })
        {
            var error = await Assert.ThrowsAsync<TaskFailedException>(() => futures[key].AsTask().WaitAsync(cts.Token));
            Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteTypeName);
            Assert.Equal(Message, error.RemoteMessage);
            Assert.Contains(nameof(RemoteFunctions.Throw), error.RemoteStackTrace, StringComparison.Ordinal);
        }

        // The blocking form throws the same original error for a dependent key, and the workers stay usable.
        var thrown = await Assert.ThrowsAsync<TaskFailedException>(() => client.SubmitGraphAsync(GraphWithAFailingBranch(), ["last"], cts.Token));
        Assert.Equal(Message, thrown.RemoteMessage);
        Assert.Equal(49, (await client.SubmitGraphAsync(GraphWithAFailingBranch(), ["independent"], cts.Token))["independent"]);
    }
}
