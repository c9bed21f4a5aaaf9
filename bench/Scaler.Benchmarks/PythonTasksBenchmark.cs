using Scaler.Benchmarks.PythonClient;
using Scaler.Benchmarks.Suite;

namespace Scaler.Benchmarks;

/// <summary>
/// <c>bench python [TASKS] [RUNS]</c>: W7 alone, for profiling: tiny Python tasks through 2 baremetal_native workers
/// and through the Symphony worker manager (local engine, max-task-concurrency 2), each on a stack started for it, the
/// first run (cold) beside the later ones.
/// </summary>
internal static class PythonTasksBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var tasks = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 4;
        var script = new ReferenceClientObjects();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var objects = await PythonWorkload.MakeObjectsAsync(script, tasks, cts.Token);
        foreach (var manager in new[] { LocalCluster.Manager.BaremetalNative, LocalCluster.Manager.SymphonyLocal })
        {
            await using var cluster = LocalCluster.Start(Path.Combine(AppContext.BaseDirectory, "scaler-cli"), 2, manager, "--python-executable", script.Interpreter);
            for (var run = 1; run <= runs; run++)
            {
                var cpuBefore = cluster.CpuSeconds();
                var result = await PythonWorkload.RunAsync(cluster.SchedulerAddress, objects, cts.Token);
                Console.WriteLine(
                    $"{manager} run {run}{(run == 1 ? " (cold)" : string.Empty)}: store {result.StoreSeconds:0.000} s, run {result.RunSeconds:0.000} s, "
                    + $"{tasks / result.TotalSeconds:N0} tasks/s; CPU us/task: {LocalCluster.PerTask(cpuBefore, cluster.CpuSeconds(), tasks)}");
                cluster.ThrowIfAnyExited();
            }

            Console.WriteLine($"  last task's value: {await PythonWorkload.LastValueAsync(script, cluster.SchedulerAddress, objects, cts.Token)}");
        }
    }
}
