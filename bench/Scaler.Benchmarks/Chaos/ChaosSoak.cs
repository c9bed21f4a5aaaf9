using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Scaler.Benchmarks.Chaos;

/// <summary>
/// <c>bench chaos [--tasks N] [--batch N] [--workers N] [--minutes N] [--seed N] [--out DIR]</c>: a bounded chaos soak.
/// A .NET client runs N tasks (<see cref="ChaosTask"/>) in batches on a <see cref="ChaosStack"/> while a killer, every
/// 0.2-1.2 s, SIGKILLs a processor, a worker, the worker manager (then starts it again) or the scheduler (then starts it
/// again on the same port), floods a port with greeted connections, or sends fuzzed frames to the scheduler, object
/// storage and monitor ports. A batch's tasks that fail (a lost scheduler fails its client's tasks) are submitted
/// again on a new client; a task that neither succeeds nor fails within the attempt bound is lost. It prints tasks
/// lost (must be 0), tasks run more than once, each role's peak RSS and whether the stack serves again at the end.
/// </summary>
internal static class ChaosSoak
{
    private static readonly TimeSpan AttemptBound = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var tasks = Int(args, "--tasks", 200_000);
        var batch = Int(args, "--batch", 2_000);
        var workers = Int(args, "--workers", 2);
        var minutes = Int(args, "--minutes", 15);
        var random = new Random(Int(args, "--seed", Environment.TickCount));
        var output = Value(args, "--out");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var runs = Directory.CreateTempSubdirectory("scaler-chaos-");
        var report = new ChaosReport { Tasks = tasks };
        var clock = Stopwatch.StartNew();
        try
        {
            await using var stack = ChaosStack.Start(Path.Combine(AppContext.BaseDirectory, "scaler-cli"), workers, runs.FullName);
            await ChaosStack.WaitListeningAsync(stack.Port, cts.Token);
            var rss = new RssSampler(stack);
            using var stopChaos = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            var sampling = rss.RunAsync(stopChaos.Token);
            var chaos = ChaosAsync(stack, random, report, stopChaos.Token);

            var results = new Dictionary<long, long>();
            var client = await ConnectAsync(stack, cts.Token);
            for (long first = 0; first < tasks; first += batch)
            {
                var pending = Enumerable.Range(0, (int)Math.Min(batch, tasks - first)).Select(i => first + i).ToList();
                while (pending.Count > 0)
                {
                    report.Attempts += pending.Count;
                    (pending, var lost) = await AttemptAsync(client, pending, results, report, cts.Token);
                    report.Lost += lost;
                    if (pending.Count > 0 && client.IsClosed)
                    {
                        await client.DisposeAsync();
                        client = await ConnectAsync(stack, cts.Token);
                        report.Reconnects++;
                    }
                }

                Console.WriteLine($"  {first + batch:N0} of {tasks:N0} tasks done after {clock.Elapsed.TotalSeconds:0} s ({report.Actions.Values.Sum()} chaos actions)");
            }

            await stopChaos.CancelAsync();
            await chaos;
            report.SecondsUnderChaos = clock.Elapsed.TotalSeconds;
            report.PeakRssBytes = rss.PeakBytes();
            await sampling;

            // Back to serving: every part runs and a fresh batch completes on a fresh client.
            await client.DisposeAsync();
            report.ExitedParts = stack.Exited();
            await using var last = await ConnectAsync(stack, cts.Token);
            var check = await last.MapAsync(ChaosTask.Run, Enumerable.Range(0, 1_000).Select(i => (long)(tasks + i)), cts.Token).WaitAsync(AttemptBound, cts.Token);
            report.ServingAtTheEnd = report.ExitedParts.Count == 0 && check.Select((v, i) => v == (2 * (tasks + i)) + 1).All(ok => ok);

            var counts = ChaosTask.CountRuns(runs.FullName);
            report.Completed = results.Count;
            report.WrongResults = results.Count(r => r.Value != (2 * r.Key) + 1);
            report.NeverCompleted = tasks - results.Count;
            report.RanMoreThanOnce = counts.Count(c => c.Key < tasks && c.Value > 1);
            report.ReportedButNeverRan = results.Keys.Count(id => !counts.ContainsKey(id));
        }
        finally
        {
            runs.Delete(recursive: true);
        }

        report.Print(Console.Out);
        if (output is not null)
        {
            Directory.CreateDirectory(output);
            await File.WriteAllTextAsync(Path.Combine(output, "chaos.json"), JsonSerializer.Serialize(report, Indented), CancellationToken.None);
        }

        return report.Lost == 0 && report.NeverCompleted == 0 && report.WrongResults == 0 && report.OrphansLeft == 0 && report.ServingAtTheEnd ? 0 : 1;
    }

    /// <summary>One attempt at <paramref name="ids"/>: the ones to try again (failed), and how many were lost (no answer in time).</summary>
    private static async Task<(List<long> Again, int Lost)> AttemptAsync(Client client, List<long> ids, Dictionary<long, long> results, ChaosReport report, CancellationToken cancellationToken)
    {
        var futures = new List<(long Id, Task<long> Result)>(ids.Count);
        try
        {
            foreach (var id in ids)
            {
                futures.Add((id, client.Submit(ChaosTask.Run, id).AsTask()));
            }
        }
        catch (Exception e) when (e is ScalerClientException or ObjectDisposedException or InvalidOperationException)
        {
            report.Failures[e.GetType().Name] = report.Failures.GetValueOrDefault(e.GetType().Name) + (ids.Count - futures.Count);
        }

        var again = ids.Skip(futures.Count).ToList();
        var lost = 0;
        var deadline = Stopwatch.StartNew();
        foreach (var (id, result) in futures)
        {
            try
            {
                var remaining = AttemptBound - deadline.Elapsed;
                results[id] = await result.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken);
            }
            catch (TimeoutException)
            {
                lost++;
                again.Add(id);
            }
            catch (Exception e) when (e is ScalerClientException or TaskFailedException or WorkerDiedException or OperationCanceledException)
            {
                var kind = e is TaskFailedException failed ? failed.RemoteTypeName : e.GetType().Name;
                report.Failures[kind] = report.Failures.GetValueOrDefault(kind) + 1;
                again.Add(id);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
            }
        }

        return (again, lost);
    }

    private static async Task ChaosAsync(ChaosStack stack, Random random, ChaosReport report, CancellationToken cancellationToken)
    {
        (string Name, int Weight)[] actions =
        [
            ("kill a processor", 30), ("kill a worker", 20), ("kill the worker manager", 8), ("kill the scheduler", 8),
            ("flood a port", 12), ("fuzz every port", 22),
        ];
        try
        {
            while (true)
            {
                await Task.Delay(random.Next(200, 1200), cancellationToken);
                var pick = random.Next(actions.Sum(a => a.Weight));
                var action = actions.First(a => (pick -= a.Weight) < 0).Name;
                switch (action)
                {
                    case "kill a processor" when stack.PidsOf("processor") is { Count: > 0 } processors:
                        Kill(processors[random.Next(processors.Count)]);
                        break;
                    case "kill a worker" when stack.PidsOf("worker") is { Count: > 0 } workers:
                        Kill(workers[random.Next(workers.Count)]);
                        break;
                    case "kill the worker manager":
                        report.OrphansLeft += await stack.RestartManagerAsync(cancellationToken);
                        break;
                    case "kill the scheduler":
                        await stack.RestartSchedulerAsync(TimeSpan.FromMilliseconds(random.Next(100, 2000)), cancellationToken);
                        break;
                    case "flood a port":
                        await HostilePeers.FloodAsync(random.Next(2) == 0 ? stack.Port : stack.Port + 1, 500, TimeSpan.FromSeconds(1), cancellationToken);
                        break;
                    case "fuzz every port":
                        foreach (var port in new[] { stack.Port, stack.Port + 1, stack.MonitorPort })
                        {
                            await HostilePeers.FuzzAsync(port, 8, random, cancellationToken);
                        }

                        break;
                    default:
                        continue; // nothing of that kind runs right now
                }

                report.Actions[action] = report.Actions.GetValueOrDefault(action) + 1;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<Client> ConnectAsync(ChaosStack stack, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await Client.ConnectAsync(stack.SchedulerAddress, new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }, cancellationToken);
            }
            catch (ScalerClientException)
            {
                // The scheduler is being restarted: try again.
                await Task.Delay(500, cancellationToken);
            }
        }
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    private static int Int(IReadOnlyList<string> args, string name, int fallback) =>
        Value(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? Value(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
