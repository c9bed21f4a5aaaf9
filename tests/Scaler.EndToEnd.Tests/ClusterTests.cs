using System.Diagnostics;
using Scaler.EndToEnd.Tests.Support;
using Scaler.Functions;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// The .NET client against a real scheduler, object storage server and fixed native worker manager (two workers),
/// all separate <c>scaler-cli</c> processes on 127.0.0.1. The tests of this class share one cluster and run one at a
/// time; each leaves the workers free.
/// </summary>
public sealed class ClusterTests : IClassFixture<FixedClusterFixture>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly FixedClusterFixture _fixture;
    private readonly Markers _markers = new();

    public ClusterTests(FixedClusterFixture fixture)
    {
        _fixture = fixture;
    }

    private LocalCluster Cluster => _fixture.Cluster;

    [Fact]
    public async Task Map_OverAThousandItems_ReturnsEveryResultInOrder()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await Cluster.ConnectAsync(cts.Token);
        var items = Enumerable.Range(0, 1000).Select(i => i - 500).ToArray();

        var results = await client.MapAsync(RemoteFunctions.Square, items, cts.Token);

        Assert.Equal(items.Select(i => i * i), results);
    }

    [Fact]
    public async Task Task_ThatThrows_RaisesTaskFailedWithTheRemoteTypeMessageAndStack()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await Cluster.ConnectAsync(cts.Token);

        var future = client.Submit(RemoteFunctions.Throw, "boom from the worker");
        var error = await Assert.ThrowsAsync<TaskFailedException>(() => future.AsTask().WaitAsync(cts.Token));

        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteTypeName);
        Assert.Equal("boom from the worker", error.RemoteMessage);
        Assert.Contains(nameof(RemoteFunctions.Throw), error.RemoteStackTrace, StringComparison.Ordinal);

        // The worker that ran it is still usable.
        Assert.Equal(49, await client.Submit(RemoteFunctions.Square, 7).AsTask().WaitAsync(cts.Token));
    }

    [Fact]
    public async Task Cancel_OfARunningTask_ReportsCancellation_AndTheClusterKeepsWorking()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await Cluster.ConnectAsync(cts.Token);
        var marker = _markers.NewPath();

        var future = client.Submit(RemoteFunctions.MarkAndSleep, marker, 120_000);
        await Markers.WaitForPidAsync(marker, Bound);

        Assert.True(await future.CancelAsync(cts.Token), $"not cancelled: {future}");
        Assert.True(future.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => future.AsTask());

        // Both workers take work again: a map needing both finishes well before the cancelled task would have.
        var results = await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 20), cts.Token);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * i), results);
    }

    [Fact]
    public async Task Client_ThatDisconnectsWithRunningTasks_FreesTheWorkers()
    {
        using var cts = new CancellationTokenSource(Bound);
        var first = await Cluster.ConnectAsync(cts.Token);
        var markers = new[] { _markers.NewPath(), _markers.NewPath() };
        try
        {
            // One long task on each of the two workers.
            foreach (var marker in markers)
            {
                _ = first.Submit(RemoteFunctions.MarkAndSleep, marker, 120_000);
            }

            foreach (var marker in markers)
            {
                await Markers.WaitForPidAsync(marker, Bound);
            }
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await Cluster.ConnectAsync(cts.Token);
        var clock = Stopwatch.StartNew();
        var results = await second.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 4), cts.Token);

        Assert.Equal([0, 1, 4, 9], results);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the new client's tasks took {clock.Elapsed}");
    }

    [Fact]
    public async Task Client_ThatDisconnects_IsNotRegisteredAgainByALateHeartbeat()
    {
        using var cts = new CancellationTokenSource(Bound);
        string identity;
        // Heartbeats far more often than the disconnect's linger, so one would fall inside it.
        var options = new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30), HeartbeatInterval = TimeSpan.FromMilliseconds(20) };
        await using (var client = await Client.ConnectAsync(Cluster.Address, options, cts.Token))
        {
            identity = client.Identity;
            Assert.Equal(4, await client.Submit(RemoteFunctions.Square, 2).AsTask().WaitAsync(cts.Token));
        }

        await Cluster.Scheduler.WaitForLineAsync($"client {identity} gone (client disconnect)", Bound);
        await Task.Delay(TimeSpan.FromSeconds(1), cts.Token); // lets any late message reach the scheduler's log

        var lines = Cluster.Scheduler.Lines.Where(line => line.Contains($"client {identity} ", StringComparison.Ordinal)).ToArray();
        Assert.True(
            lines.Count(line => line.Contains(" connected", StringComparison.Ordinal)) == 1,
            $"the scheduler registered {identity} more than once:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
    }

    [Fact]
    public async Task QuickStartExample_PrintsTheFiftySquares()
    {
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "QuickStart", "release", "QuickStart.dll"));
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(Cluster.Address);

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"QuickStart did not finish within {Bound}; {await stdout} {await stderr}");
        }

        var expected = $"[{string.Join(", ", Enumerable.Range(0, 50).Select(i => i * i))}]";
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        Assert.Equal(expected, (await stdout).Trim());
    }

    public void Dispose() => _markers.Dispose();
}
