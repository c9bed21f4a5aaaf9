using Scaler.EndToEnd.Tests.Support;

namespace Scaler.EndToEnd.Tests;

/// <summary>A worker killed while it runs a task: the scheduler gives the task to the other worker.</summary>
public sealed class WorkerFailureTests : IClassFixture<FixedClusterFixture>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly FixedClusterFixture _fixture;
    private readonly Markers _markers = new();

    public WorkerFailureTests(FixedClusterFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Worker_KilledMidTask_TheTaskCompletesOnAnotherWorker()
    {
        var cluster = _fixture.Cluster;
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await cluster.ConnectAsync(cts.Token);
        var marker = _markers.NewPath();

        var future = client.Submit(RemoteFunctions.MarkAndSleep, marker, 120_000);
        var processor = await Markers.WaitForPidAsync(marker, Bound);
        var worker = Markers.ParentOf(processor);
        Assert.NotEqual(cluster.Manager!.Id, worker); // the task runs in a processor below a worker

        using (var workerProcess = System.Diagnostics.Process.GetProcessById(worker))
        {
            workerProcess.Kill(entireProcessTree: true);
        }

        var ranIn = await future.AsTask().WaitAsync(cts.Token);
        Assert.NotEqual(processor, ranIn);
        Assert.Equal(9, await client.Submit(RemoteFunctions.Square, 3).AsTask().WaitAsync(cts.Token));
    }

    public void Dispose() => _markers.Dispose();
}
