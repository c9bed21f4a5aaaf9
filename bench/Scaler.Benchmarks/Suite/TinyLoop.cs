using System.Globalization;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// <c>tiny SCHEDULER [TASKS] [ROUNDS] [SLEEP_MS WORKERS]</c>: workload 1 (submit TASKS tiny tasks, gather, then one
/// Map) ROUNDS times against a scheduler that is already running, printing tasks/s per round; with SLEEP_MS, workload 2
/// instead (TASKS sleeps of SLEEP_MS on WORKERS workers, printing the efficiency). For profiling a steady load.
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

        var tasks = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        var rounds = args.Count > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var sleep = args.Count > 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        var workers = args.Count > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await using var client = await Client.ConnectAsync(args[0], cancellationToken: cts.Token);
        for (var round = 1; round <= rounds; round++)
        {
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
