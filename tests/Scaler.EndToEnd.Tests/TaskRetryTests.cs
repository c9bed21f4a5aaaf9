using System.Diagnostics;
using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// Tasks whose processor or worker died of something else than the task are run again; a task that kills every
/// processor (or worker) it runs on fails after the retry limit.
/// </summary>
public sealed class TaskRetryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task MapOfTwentyThousandTasks_Completes_WithEveryResultRight_WhenAProcessorIsKilledMidRun()
    {
        await using var cluster = await LocalCluster.StartFixedAsync(workers: 2);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await cluster.ConnectAsync(cts.Token);
        var processors = await ProcessTable.WaitForDescendantsAsync(cluster.Manager!.Id, " processor ", 2, Bound);
        var victim = processors.First(e => e.CommandLine.Contains(" processor ", StringComparison.Ordinal));
        var items = Enumerable.Range(0, 20_000).ToList();

        var watch = Stopwatch.StartNew();
        var idleCpu = ProcessTable.CpuTicks(victim);
        var map = client.MapAsync(RetryFunctions.SquareSlowly, items, cts.Token);

        // Mid-run: the processor has started on the map's tasks (a tenth of a second of CPU), and half a second later it
        // holds a backlog of them (tasks of 1 ms arrive faster than it runs them; the map takes 10 s or more).
        while (ProcessTable.CpuTicks(victim) - idleCpu < 10 && !map.IsCompleted)
        {
            await Task.Delay(20, cts.Token);
        }

        await Task.Delay(500, cts.Token);

        Assert.False(map.IsCompleted, "the map ended before a processor could be killed under it");
        var killedAfter = watch.Elapsed;
        using (var process = Process.GetProcessById(victim.Pid))
        {
            process.Kill(); // SIGKILL, as the OOM killer or an operator would
        }

        IReadOnlyList<int> results;
        try
        {
            results = await map;
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"the map did not complete within {Bound.TotalSeconds} s;{Environment.NewLine}{Tail(cluster.Output)}", e);
        }

        Assert.Equal(items.Select(i => i * i), results);
        Assert.False(ProcessTable.IsRunning(victim));
        // The worker saw its processor die (whether the kill hit a task mid-run, rerun with "running it again", or
        // between two, whose waiting tasks went back to the queue, depends on the instant; both must lose nothing).
        Assert.Contains(cluster.Manager!.Lines, l => l.Contains($"processor {victim.Pid} died", StringComparison.Ordinal));
        Console.WriteLine($"20,000 tasks with a processor killed {killedAfter.TotalSeconds:0.0} s into the map: {watch.Elapsed.TotalSeconds:0.0} s");
    }

    private static string Tail(string output) => string.Join(Environment.NewLine, output.Split(Environment.NewLine).TakeLast(200));

    [Fact]
    public async Task TaskThatExitsItsProcessor_FailsWithProcessorDied_AfterThreeRetries()
    {
        await using var cluster = await LocalCluster.StartFixedAsync(workers: 1);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await cluster.ConnectAsync(cts.Token);

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => client.Submit(RetryFunctions.Exit, 3).AsTask().WaitAsync(cts.Token));

        Assert.Equal("Scaler.Worker.ProcessorDiedException", error.RemoteTypeName);
        Assert.Contains("exit code 3", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Contains("ran 4 times", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Equal(3, cluster.Manager!.Lines.Count(l => l.Contains("running it again", StringComparison.Ordinal)));
        Assert.Equal(49, await client.Submit(RemoteFunctions.Square, 7).AsTask().WaitAsync(cts.Token));
    }

    [Fact]
    public async Task TaskThatKillsEveryWorkerItRunsOn_FailsWithWorkerDied_AfterThreeRetries()
    {
        await using var cluster = await LocalCluster.StartSchedulerAsync();
        cluster.StartManager("dynamic", maxTaskConcurrency: 2);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await cluster.ConnectAsync(cts.Token);

        var future = client.Submit(RetryFunctions.KillMyWorker, 0);
        await Assert.ThrowsAsync<WorkerDiedException>(() => future.AsTask().WaitAsync(cts.Token));

        // The scheduler placed it on four workers, each of which it killed; then the cluster goes on serving.
        Assert.Equal(4, cluster.Scheduler.Lines.Count(l => l.Contains("(connection closed), 0 tasks requeued", StringComparison.Ordinal)
            || l.Contains("(connection closed), 1 tasks requeued", StringComparison.Ordinal)));
        Assert.Equal(49, await client.Submit(RemoteFunctions.Square, 7).AsTask().WaitAsync(cts.Token));
    }
}

/// <summary>A result object storage refuses fails its task with the reason, at once, and is not run again.</summary>
public sealed class RefusedResultTests
{
    [Fact]
    public async Task ResultOverTheStoragesObjectLimit_FailsTheTaskWithTheRefusal_AndTheWorkerGoesOn()
    {
        await using var cluster = await LocalCluster.StartSchedulerAsync("--max-object-bytes", "1000000");
        cluster.StartManager("fixed", 1);
        await cluster.WaitForWorkersAsync(1, TimeSpan.FromSeconds(60));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var client = await cluster.ConnectAsync(cts.Token);

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => client.Submit(RetryFunctions.Bytes, 2_000_000).AsTask().WaitAsync(cts.Token));

        Assert.Contains("refused by object storage", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Contains("1000000", error.RemoteMessage.Replace(",", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Manager!.Lines, l => l.Contains("running it again", StringComparison.Ordinal));
        Assert.Equal(1000, (await client.Submit(RetryFunctions.Bytes, 1000).AsTask().WaitAsync(cts.Token)).Length);
    }

    [Fact]
    public async Task ResultOverTheStoragesObjectLimit_OnTheSymphonyPath_FailsTheTaskWithTheRefusal_AndTheManagerGoesOn()
    {
        await using var cluster = await LocalCluster.StartSchedulerAsync("--max-object-bytes", "1000000");
        cluster.StartSymphonyManager(2);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var client = await cluster.ConnectAsync(cts.Token);

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => client.Submit(RetryFunctions.Bytes, 2_000_000).AsTask().WaitAsync(cts.Token));

        Assert.Contains("refused by object storage", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Equal(1000, (await client.Submit(RetryFunctions.Bytes, 1000).AsTask().WaitAsync(cts.Token)).Length);
    }
}

/// <summary>Functions these tests ship to the workers.</summary>
public static class RetryFunctions
{
    /// <summary>A square that takes a millisecond, so a map of many lasts long enough to kill a processor under it.</summary>
    public static int SquareSlowly(int x)
    {
        Thread.Sleep(1);
        return x * x;
    }

    public static byte[] Bytes(int length) => new byte[length];

    public static int Exit(int code)
    {
        Environment.Exit(code);
        return code;
    }

    /// <summary>Kills the worker whose processor runs it (its parent), as a crash of the worker's host would.</summary>
    public static int KillMyWorker(int unused)
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        using (var worker = Process.GetProcessById(parent))
        {
            worker.Kill();
        }

        Thread.Sleep(60_000);
        return unused;
    }
}
