using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Hosting.Options;
using Scaler.Hosting.Sections;
using Scaler.Scheduler.Runtime;
using Scaler.Worker.Hosting;
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
                new SymphonyWorkerManagerOptions(
                    new WorkerManagerCommonOptions(address, "bench-symphony", null, null, concurrency), WorkerSettings(), Logging(), "ScalerBench")
                {
                    SoamBackend = SymphonySoamBackend.Local,
                },
                NullLoggerFactory.Instance,
                shutdown));
        var native = await MeasureAsync("baremetal_native", count, (address, shutdown) =>
            NativeWorkerManager.RunAsync(
                new NativeWorkerManagerOptions(
                    new WorkerManagerCommonOptions(address, "bench-native", null, null, concurrency),
                    WorkerSettings(),
                    Logging(),
                    SecurityOptions.None,
                    NativeWorkerManagerMode.Dynamic,
                    null),
                NullLoggerFactory.Instance,
                shutdown,
                ProcessLauncher.ForDll(Path.Combine(AppContext.BaseDirectory, "scaler-cli.dll"))));
        Console.WriteLine($"  symphony / native: {symphony / native:0.00}");
    }

    private static async Task<double> MeasureAsync(string label, int count, Func<string, CancellationToken, Task<int>> startManager)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await using var scheduler = await SchedulerServer.StartAsync(
            new SchedulerServerOptions { BindAddress = IO.Addressing.ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, timeout.Token);
        using var stop = new CancellationTokenSource();
        var manager = Task.Run(() => startManager(scheduler.Address.ToString(), stop.Token));
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

    private static WorkerOptions WorkerSettings() => new()
    {
        Capabilities = new Dictionary<string, long>(),
        TaskQueueSize = 1000,
        HeartbeatIntervalSeconds = 2,
        DeathTimeoutSeconds = 300,
        GarbageCollectIntervalSeconds = 30,
        IoThreads = 1,
        EventLoop = "builtin",
    };

    private static LoggingOptions Logging() => new([LoggingOptions.StandardError], null, LogLevel.Warning);
}
