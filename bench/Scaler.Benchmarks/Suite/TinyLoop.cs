using System.Globalization;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// <c>tiny SCHEDULER [TASKS] [ROUNDS] [SLEEP_MS WORKERS]</c>: workload 1 (submit TASKS tiny tasks, gather, then one
/// Map) ROUNDS times against a scheduler that is already running, printing tasks/s per round; with SLEEP_MS, workload 2
/// instead (TASKS sleeps of SLEEP_MS on WORKERS workers, printing the efficiency); with TASKS written <c>latency:N</c>,
/// workload 3 (N sequential round trips, printing p50 and p99). For profiling a steady load.
/// </summary>
internal static class TinyLoop
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args.Count < 1)
        {
            await Console.Error.WriteLineAsync("usage: tiny tcp://HOST:PORT [TASKS] [ROUNDS]");
            return 2;
        }

        var latency = args.Count > 1 && args[1].StartsWith("latency:", StringComparison.Ordinal);
        var tasks = args.Count > 1 ? int.Parse(latency ? args[1]["latency:".Length..] : args[1], CultureInfo.InvariantCulture) : 10_000;
        var rounds = args.Count > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var sleep = args.Count > 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        var workers = args.Count > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await using var client = await Client.ConnectAsync(args[0], cancellationToken: cts.Token);
        for (var round = 1; round <= rounds; round++)
        {
            if (latency)
            {
                var latencies = await ClientWorkloads.RoundTripsAsync(client, tasks, cts.Token);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"round {round}: p50 {Stats.Percentile(latencies, 50):0.000} ms, p99 {Stats.Percentile(latencies, 99):0.000} ms"));
                continue;
            }

            if (sleep > 0)
            {
                var wall = await ClientWorkloads.SleepTasksAsync(client, tasks, sleep, cts.Token);
                var ideal = tasks * sleep / 1000.0 / workers;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {wall:0.000} s, efficiency {100 * ideal / wall:0.0}%"));
                continue;
            }

            var run = await ClientWorkloads.TinyTasksAsync(client, tasks, cts.Token);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"round {round}: {tasks / (run.SubmitSeconds + run.GatherSeconds):N0} tasks/s submit+gather, {tasks / run.MapSeconds:N0} tasks/s Map"));
        }

        return 0;
    }
}
