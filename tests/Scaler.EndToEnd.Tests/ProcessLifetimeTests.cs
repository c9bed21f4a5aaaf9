using System.Diagnostics;
using System.Globalization;
using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// Children never outlive their parent, even when the parent is killed with SIGKILL and cannot stop them (workers
/// with their manager, processors with their worker, service instances with the Symphony manager, a whole stack with
/// the launcher), and a manager started with SIGINT ignored still stops its workers gracefully.
/// </summary>
public sealed class ProcessLifetimeTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    /// <summary>How long the orphans may take to end: they notice within 0.25 s, then stop as on SIGTERM.</summary>
    private static readonly TimeSpan OrphanBound = TimeSpan.FromSeconds(20);

    private readonly Markers _markers = new();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("scaler-e2e-");

    [Fact]
    public async Task NativeManagerKilled_ItsWorkersAndTheirProcessorsEnd()
    {
        await using var cluster = await LocalCluster.StartFixedAsync(workers: 2);
        var manager = cluster.Manager!;
        var below = await ProcessTable.WaitForDescendantsAsync(manager.Id, " processor ", 2, Bound);
        Assert.Equal(2, below.Count(e => e.CommandLine.Contains(" worker ", StringComparison.Ordinal)));

        var killed = Stopwatch.StartNew();
        Kill(manager.Id);

        await ProcessTable.WaitAllEndedAsync(below, OrphanBound);
        Console.WriteLine($"manager SIGKILLed: its {below.Count} descendants ended within {killed.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task WorkerKilledMidTask_ItsProcessorEnds_ThoughUserCodeStillRunsInIt()
    {
        await using var cluster = await LocalCluster.StartFixedAsync(workers: 1);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await cluster.ConnectAsync(cts.Token);
        var marker = _markers.NewPath();
        _ = client.Submit(RemoteFunctions.MarkAndSleep, marker, 120_000);
        var processor = await Markers.WaitForPidAsync(marker, Bound);
        var worker = ProcessTable.ParentOf(processor);
        var below = ProcessTable.DescendantsOf(worker);
        Assert.Contains(below, e => e.Pid == processor);

        var killed = Stopwatch.StartNew();
        Kill(worker);

        await ProcessTable.WaitAllEndedAsync(below, OrphanBound);
        Console.WriteLine($"worker SIGKILLed: its processor (sleeping in user code) ended within {killed.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task SymphonyManagerKilled_ItsServiceInstancesEnd()
    {
        await using var cluster = await LocalCluster.StartSchedulerAsync();
        cluster.StartSymphonyManager(maxTaskConcurrency: 2);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await cluster.ConnectAsync(cts.Token);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * i), await client.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 20), cts.Token));
        var below = await ProcessTable.WaitForDescendantsAsync(cluster.Manager!.Id, "soam-local-instance", 1, Bound);

        var killed = Stopwatch.StartNew();
        Kill(cluster.Manager!.Id);

        await ProcessTable.WaitAllEndedAsync(below, OrphanBound);
        Console.WriteLine($"Symphony manager SIGKILLed: its {below.Count} service instance(s) ended within {killed.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task LauncherKilled_EveryProcessOfTheStackEnds()
    {
        var port = FreePorts.FindConsecutive(3);
        var file = Path.Combine(_directory.FullName, "stack.toml");
        await File.WriteAllTextAsync(file, $"""
            [object_storage_server]
            bind_address = "tcp://127.0.0.1:{port + 1}"

            [scheduler]
            bind_address = "tcp://127.0.0.1:{port}"
            object_storage_address = "tcp://127.0.0.1:{port + 1}"

            [[worker_manager]]
            type = "baremetal_native"
            scheduler_address = "tcp://127.0.0.1:{port}"
            worker_manager_id = "e2e-orphans"
            mode = "fixed"
            max_task_concurrency = 2
            """);
        await using var launch = CliProcess.Start("launch", file);
        var below = await ProcessTable.WaitForDescendantsAsync(launch.Id, " processor ", 2, Bound);
        Assert.Contains(below, e => e.CommandLine.Contains(" scheduler ", StringComparison.Ordinal));
        Assert.Contains(below, e => e.CommandLine.Contains(" object-storage-server ", StringComparison.Ordinal));

        var killed = Stopwatch.StartNew();
        Kill(launch.Id);

        await ProcessTable.WaitAllEndedAsync(below, OrphanBound);
        Console.WriteLine($"launcher SIGKILLed: the {below.Count} processes of its stack ended within {killed.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task ManagerStartedWithSigintIgnored_StopsItsWorkersGracefully_OnSigterm()
    {
        await using var cluster = await LocalCluster.StartSchedulerAsync();

        // As a script's `cmd &` does: SIGINT ignored, and inherited so by everything the manager starts.
        await using var manager = CliProcess.StartProgram("/bin/sh",
        [
            "-c", "trap '' INT; exec \"$0\" \"$@\"", CliProcess.ExecutablePath,
            "worker-manager", "baremetal_native", cluster.Address, "--worker-manager-id", "e2e-background",
            "--mode", "fixed", "--max-task-concurrency", "2",
        ]);
        await ProcessTable.WaitForDescendantsAsync(manager.Id, " processor ", 2, Bound);
        var workers = ProcessTable.DescendantsOf(manager.Id).Where(e => e.CommandLine.Contains(" worker ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, workers.Count);
        Assert.All(workers, w => Assert.True(IgnoresSigint(w.Pid), $"worker {w.Pid} should have inherited SIGINT ignored"));

        var stopping = Stopwatch.StartNew();
        manager.Terminate();
        Assert.Equal(0, await manager.WaitForExitAsync(Bound));
        var stopped = stopping.Elapsed;

        // Each worker disconnected (the scheduler requeues at once) and exited 0, long before the 5 s kill.
        var lines = manager.Lines.Where(l => l.Contains("stopped native worker", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Contains("(exit code 0)", l, StringComparison.Ordinal));
        Assert.Equal(2, cluster.Scheduler.Lines.Count(l => l.Contains("(disconnect request)", StringComparison.Ordinal)));
        Assert.True(stopped < TimeSpan.FromSeconds(5), $"the manager took {stopped.TotalSeconds:0.0} s to stop");
    }

    public void Dispose()
    {
        _markers.Dispose();
        _directory.Delete(recursive: true);
    }

    private static void Kill(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Kill(); // SIGKILL of that process alone: it gets no chance to stop its children.
    }

    /// <summary>Whether the process has SIGINT (signal 2) in its ignored set (SigIgn in /proc/PID/status).</summary>
    private static bool IgnoresSigint(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (mask & (1UL << (2 - 1))) != 0;
    }
}
