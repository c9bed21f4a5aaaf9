using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// <c>scaler_scheduler tcp://127.0.0.1:P</c> with no <c>--object-storage-address</c>: the scheduler starts its own
/// object storage server on P+1 and advertises it, so a scheduler and a worker manager are a whole cluster.
/// </summary>
public sealed class EmbeddedObjectStorageTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task SchedulerWithoutStorageAddress_ServesAMapThroughItsEmbeddedStorage()
    {
        var port = FreePorts.FindConsecutive(3);
        var address = $"tcp://127.0.0.1:{port}";
        await using var scheduler = CliProcess.Start("scheduler", address);
        await scheduler.WaitForLineAsync("scheduler listening on", Bound);
        await using var manager = CliProcess.Start(
            "worker-manager", "baremetal_native", address, "--worker-manager-id", "e2e-embedded", "--mode", "fixed", "--max-task-concurrency", "1");

        using var cts = new CancellationTokenSource(Bound);
        await using var client = await Client.ConnectAsync(address, new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, cts.Token);
        var squares = await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 10), cts.Token);

        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), squares);
        Assert.Equal($"tcp://127.0.0.1:{port + 1}", client.ObjectStorageAddress?.ToString());
    }
}
