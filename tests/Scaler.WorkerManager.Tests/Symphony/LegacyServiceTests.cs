using Scaler.Symphony.Local;
using Scaler.Symphony.Service;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>The cluster of <see cref="SymphonyCluster"/> with service instances of an older package (<see cref="LegacyScalerService"/>).</summary>
public sealed class LegacySymphonyCluster : SymphonyCluster
{
    public LegacySymphonyCluster()
        : base(LocalServiceCommand.ScalerCli(
            "--service-assembly", typeof(LegacyScalerService).Assembly.Location, "--service-type", typeof(LegacyScalerService).FullName!))
    {
    }
}

/// <summary>A worker manager that resolves code by hash against a service package that does not.</summary>
public sealed class LegacyServiceTests(LegacySymphonyCluster cluster) : IClassFixture<LegacySymphonyCluster>
{
    [Fact]
    public async Task ServiceOlderThanResultLayout2_GetsTheCodeBytesWithEveryTask()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var first = await cluster.Client.MapAsync(SymphonyFunctions.Square, Enumerable.Range(0, 10), cts.Token);
        var second = await cluster.Client.MapAsync(SymphonyFunctions.Square, Enumerable.Range(10, 10), cts.Token);

        Assert.Equal(Enumerable.Range(0, 10).Select(x => x * x), first);
        Assert.Equal(Enumerable.Range(10, 10).Select(x => x * x), second);
        var sent = cluster.Api.InputsSince(0);
        Assert.Equal(20, sent.Count);
        Assert.All(sent, input => Assert.True(input.CarriesCode, $"{input.Key} named its code by hash only"));
        Assert.All(await cluster.Api.OutputsOfAsync(sent, cts.Token), kind => Assert.Equal(SymphonyTaskResultKind.Success, kind));
    }
}
