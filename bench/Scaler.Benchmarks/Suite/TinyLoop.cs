using System.Globalization;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// <c>tiny SCHEDULER [TASKS] [ROUNDS]</c>: workload 1 (submit TASKS tiny tasks, gather, then one Map) ROUNDS times
/// against a scheduler that is already running, printing tasks/s per round. For profiling a steady load.
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
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await using var client = await Client.ConnectAsync(args[0], cancellationToken: cts.Token);
        for (var round = 1; round <= rounds; round++)
        {
            var run = await ClientWorkloads.TinyTasksAsync(client, tasks, cts.Token);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"round {round}: {tasks / (run.SubmitSeconds + run.GatherSeconds):N0} tasks/s submit+gather, {tasks / run.MapSeconds:N0} tasks/s Map"));
        }

        return 0;
    }
}
