using System.Globalization;
using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// Task capabilities from the .NET client, through a real scheduler under <c>allocate=capability</c>, to the workers
/// of two native worker managers: one offering <c>gpu</c>, one offering nothing. Every process is started here and
/// killed on dispose.
/// </summary>
public sealed class CapabilityRoutingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TasksAskingForGpu_RunOnlyBelowTheGpuManager_OthersRunAnywhere()
    {
        var port = FreePorts.FindConsecutive(3);
        var address = $"tcp://127.0.0.1:{port}";
        await using var storage = CliProcess.Start("object-storage-server", $"tcp://127.0.0.1:{port + 1}");
        await storage.WaitForLineAsync("listening on", LocalCluster.StartBound);
        await using var scheduler = CliProcess.Start(
            "scheduler", address,
            "--object-storage-address", $"tcp://127.0.0.1:{port + 1}",
            "--policy-content", "allocate=capability; scaling=vanilla");
        await scheduler.WaitForLineAsync("scheduler listening on", LocalCluster.StartBound);
        await using var gpuManager = StartFixedManager(address, "e2e-gpu", "--per-worker-capabilities", "gpu");
        await using var plainManager = StartFixedManager(address, "e2e-plain");
        await WaitForWorkersAsync(scheduler, 4, gpuManager, plainManager);

        using var cts = new CancellationTokenSource(Bound);
        await using var client = await Client.ConnectAsync(address, new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, cts.Token);
        var gpu = new TaskOptions { Capabilities = new Dictionary<string, long> { ["gpu"] = TaskOptions.Present } };

        var onGpu = await client.MapAsync(CapabilityProbe.AncestorsAfter, Enumerable.Repeat(100, 12), gpu, cts.Token);
        var anywhere = await client.MapAsync(CapabilityProbe.AncestorsAfter, Enumerable.Repeat(100, 12), cts.Token);

        var context = $"gpu manager {gpuManager.Id}, plain manager {plainManager.Id}; ancestors of the gpu tasks: " +
            string.Join(" | ", onGpu.Select(a => string.Join(' ', a)));
        Assert.All(onGpu, ancestors => Assert.True(
            ancestors.Contains(gpuManager.Id) && !ancestors.Contains(plainManager.Id), context));
        // The same tasks without the capability reach the plain workers too, so the placement above was the policy's.
        Assert.Contains(anywhere, ancestors => ancestors.Contains(plainManager.Id));
    }

    private static CliProcess StartFixedManager(string schedulerAddress, string id, params string[] extra) =>
        CliProcess.Start(
        [
            "worker-manager", "baremetal_native", schedulerAddress,
            "--worker-manager-id", id,
            "--mode", "fixed",
            "--max-task-concurrency", "2",
            .. extra,
        ]);

    private static async Task WaitForWorkersAsync(CliProcess scheduler, int count, params CliProcess[] managers)
    {
        using var cts = new CancellationTokenSource(LocalCluster.StartBound);
        while (scheduler.Lines.Count(line => line.Contains(" connected with queue size ", StringComparison.Ordinal)) < count)
        {
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"fewer than {count} workers connected within {LocalCluster.StartBound.TotalSeconds} s; scheduler:{Environment.NewLine}{scheduler.Output}" +
                    string.Concat(managers.Select(m => $"{Environment.NewLine}manager {m.Id}:{Environment.NewLine}{m.Output}")));
            }
        }
    }
}

/// <summary>Runs on the workers: shipped as a reference to this test assembly.</summary>
public static class CapabilityProbe
{
    /// <summary>
    /// Sleeps <paramref name="milliseconds"/> (so tasks overlap and spread over the workers), then returns the process
    /// IDs from the one running the task up to init, read from /proc (Linux).
    /// </summary>
    public static int[] AncestorsAfter(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        var chain = new List<int>();
        for (var pid = Environment.ProcessId; pid > 1 && chain.Count < 64; pid = ParentOf(pid))
        {
            chain.Add(pid);
        }

        return [.. chain];
    }

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(afterName[1], CultureInfo.InvariantCulture);
    }
}
