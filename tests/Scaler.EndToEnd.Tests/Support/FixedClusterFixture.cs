namespace Scaler.EndToEnd.Tests.Support;

/// <summary>One fixed-mode cluster of two workers shared by the tests of a class.</summary>
public sealed class FixedClusterFixture : IAsyncLifetime
{
    private LocalCluster? _cluster;

    internal LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster did not start");

    public async Task InitializeAsync() => _cluster = await LocalCluster.StartFixedAsync(workers: 2);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
