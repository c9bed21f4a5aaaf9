using System.Diagnostics;
using System.Globalization;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// <c>cold-client ADDRESS TASKS</c>: the client process of the cold figures, started fresh for each job as a user's
/// program is: it connects (waiting up to a minute for a scheduler that is still starting), submits TASKS tiny tasks
/// one by one, gathers them, and prints one line, <c>cold: connect S submit S gather S</c>, then exits.
/// </summary>
internal static class ColdClient
{
    public const string Command = "cold-client";
    public const string Prefix = "cold: ";

    public static async Task<int> RunAsync(string address, int tasks)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var clock = Stopwatch.StartNew();
        await using var client = await Client.ConnectAsync(address, new ClientOptions { ConnectTimeout = TimeSpan.FromSeconds(60) }, cts.Token);
        var connect = clock.Elapsed.TotalSeconds;

        // W1's own job (submit one by one, then gather), without its Map part.
        var job = await ClientWorkloads.TinyTasksAsync(client, tasks, cts.Token, map: false);
        var (submit, gather) = (job.SubmitSeconds, job.GatherSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}connect {connect:0.000000} submit {submit:0.000000} gather {gather:0.000000}"));
        return 0;
    }

    /// <summary>One run's figures as the child printed them.</summary>
    public sealed record Run(double ConnectSeconds, double SubmitSeconds, double GatherSeconds, double ProcessSeconds)
    {
        public double JobSeconds => SubmitSeconds + GatherSeconds;

        public static Run Parse(string line, double processSeconds)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double At(string name) => double.Parse(parts[Array.IndexOf(parts, name) + 1], CultureInfo.InvariantCulture);
            return new Run(At("connect"), At("submit"), At("gather"), processSeconds);
        }
    }

    /// <summary>Starts a fresh client process for one job of <paramref name="tasks"/> tasks and returns its figures.</summary>
    public static async Task<Run> RunProcessAsync(string address, int tasks, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var child = ChildProcess.StartThisProgram(Command, address, tasks.ToString(CultureInfo.InvariantCulture));
        var exitCode = await child.WaitForExitAsync(ct);
        var seconds = clock.Elapsed.TotalSeconds;
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"the cold client exited with {exitCode}: {child.Output}");
        }

        var line = await child.WaitForLineAsync(Prefix, ct);
        return Run.Parse(line, seconds);
    }
}
