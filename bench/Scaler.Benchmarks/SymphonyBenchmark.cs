using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.Scheduler.Runtime;
using Scaler.Symphony.Ibm;
using Scaler.Worker.Hosting;
using Scaler.WorkerManager.Common;
using Scaler.WorkerManager.Native;
using Scaler.WorkerManager.Symphony;

namespace Scaler.Benchmarks;

/// <summary>
/// Tasks per second for no-op tasks submitted with the .NET client through a real scheduler on 127.0.0.1, executed
/// (a) through the Symphony worker manager with the local SOAM engine and (b) through baremetal_native, with the
/// same concurrency. Arguments: <c>symphony [taskCount=10000] [concurrency=2]</c>.
/// </summary>
internal static class SymphonyBenchmark
{
    public static int Noop(int x) => x;

    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var concurrency = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2;
        Console.WriteLine($"symphony vs baremetal_native: {count} no-op tasks, concurrency {concurrency}");

        var symphony = await MeasureAsync("symphony (local SOAM engine)", count, (address, shutdown) =>
            SymphonyWorkerManager.RunAsync(
                new SymphonyWorkerManagerSettings
                {
                    Manager = ManagerSettings(address, "bench-symphony", concurrency),
                    ServiceName = "ScalerBench",
                    SoamBackend = SoamBackendKind.Local,
                },
                NullLoggerFactory.Instance,
                shutdown));
        var native = await MeasureAsync("baremetal_native", count, (address, shutdown) =>
            NativeWorkerManager.RunAsync(
                new NativeWorkerManagerSettings
                {
                    Manager = ManagerSettings(address, "bench-native", concurrency),
                    WorkerLogLevel = LogLevel.Warning,
                    WorkerLogPaths = ["/dev/stderr"],
                },
                NullLoggerFactory.Instance,
                shutdown,
                ProcessLauncher.ForDll(Path.Combine(AppContext.BaseDirectory, "scaler-cli.dll"))));
        Console.WriteLine($"  symphony / native: {symphony / native:0.00}");
    }

    private static async Task<double> MeasureAsync(string label, int count, Func<ScalerAddress, CancellationToken, Task<int>> startManager)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await using var scheduler = await SchedulerServer.StartAsync(
            new SchedulerServerOptions { BindAddress = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, timeout.Token);
        using var stop = new CancellationTokenSource();
        var manager = Task.Run(() => startManager(scheduler.Address, stop.Token));
        try
        {
            await using var client = await Client.ConnectAsync(scheduler.Address.ToString(), cancellationToken: timeout.Token);
            var warmup = Stopwatch.StartNew();
            await client.MapAsync(Noop, Enumerable.Range(0, 50), timeout.Token);
            Console.WriteLine($"  {label}: warm-up (50 tasks, workers/instances started) {warmup.Elapsed.TotalSeconds:0.0} s");

            var watch = Stopwatch.StartNew();
            var results = await client.MapAsync(Noop, Enumerable.Range(0, count), timeout.Token);
            watch.Stop();
            if (results.Count != count || results[^1] != count - 1)
            {
                throw new InvalidOperationException($"{label}: wrong results");
            }

            var rate = count / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"  {label}: {count} tasks in {watch.Elapsed.TotalSeconds:0.00} s = {rate:0} tasks/s");
            return rate;
        }
        finally
        {
            await stop.CancelAsync();
            await manager.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    private static WorkerManagerSettings ManagerSettings(ScalerAddress scheduler, string id, int concurrency) => new()
    {
        SchedulerAddress = scheduler,
        WorkerManagerId = id,
        MaxTaskConcurrency = concurrency,
    };
}
