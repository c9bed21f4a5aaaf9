using Scaler.EndToEnd.Tests.Support;

namespace Scaler.EndToEnd.Tests;

/// <summary>A dynamic native worker manager: no worker until there is work, then as many as vanilla scaling asks.</summary>
public sealed class DynamicScalingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task DynamicManager_StartsWorkersOnDemand_AndRunsAMap()
    {
        await using var cluster = await LocalCluster.StartSchedulerAsync();
        cluster.StartManager("dynamic", maxTaskConcurrency: 2);
        await cluster.Manager!.WaitForLineAsync("connecting to scheduler", LocalCluster.StartBound);
        Assert.Equal(0, cluster.WorkerConnections());

        using var cts = new CancellationTokenSource(Bound);
        await using var client = await cluster.ConnectAsync(cts.Token);
        var results = await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 100), cts.Token);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * i), results);
        Assert.InRange(cluster.WorkerConnections(), 1, 2);
    }
}
