using System.Diagnostics;
using System.Globalization;
using Scaler.Testing;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// What a user sees who starts a stack and runs one job (issue 16): jobs of tiny tasks, each from a fresh client
/// process (<see cref="ColdClient"/>), on a stack started for them, so the first job pays for every first time in every
/// process; and the time from starting <c>scaler-cli launch stack.toml</c> (what <c>bin/scaler</c> runs) to the first
/// result of a client started at the same moment.
/// </summary>
internal static class ColdStartWorkload
{
    private const int Workers = 2;

    /// <summary>
    /// Time the stack is given between its start and the first job: its processes are up and its workers registered
    /// well within it, as they would be while a user turns to their job; nothing runs a task before the first job.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    /// <summary><c>bench cold [TASKS] [JOBS]</c>: the cold figures alone (native fixed, native dynamic, Symphony), then stack start to first result.</summary>
    public static async Task<int> RunStandaloneAsync(string[] args)
    {
        var tasks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var jobs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var cli = SuiteOptions.DefaultCliPath;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await JobsOnFreshStackAsync(cli, LocalCluster.Manager.BaremetalNative, tasks, jobs, "baremetal_native", Console.Out, cts.Token);
        await JobsOnFreshStackAsync(cli, LocalCluster.Manager.BaremetalNativeDynamic, tasks, jobs, "baremetal_native dynamic", Console.Out, cts.Token);
        await JobsOnFreshStackAsync(cli, LocalCluster.Manager.SymphonyLocal, tasks, jobs, "symphony", Console.Out, cts.Token);
        await StackToFirstResultAsync(cli, Console.Out, cts.Token);
        return 0;
    }

    /// <summary>Runs <paramref name="jobs"/> jobs of <paramref name="tasks"/> tasks one after the other on one fresh stack.</summary>
    public static async Task<List<ColdClient.Run>> JobsOnFreshStackAsync(
        string cli, LocalCluster.Manager manager, int tasks, int jobs, string label, TextWriter log, CancellationToken ct)
    {
        await using var cluster = LocalCluster.Start(cli, Workers, manager);
        await Task.Delay(Settle, ct);
        cluster.ThrowIfAnyExited();
        var runs = new List<ColdClient.Run>();
        for (var job = 1; job <= jobs; job++)
        {
            var run = await ColdClient.RunProcessAsync(cluster.SchedulerAddress, tasks, ct);
            runs.Add(run);
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {label} job {job} on a fresh stack, fresh client process: connect {run.ConnectSeconds:0.000} s, submit {run.SubmitSeconds:0.000} s, gather {run.GatherSeconds:0.000} s ({tasks / run.JobSeconds:N0} tasks/s; process {run.ProcessSeconds:0.000} s)"));
            cluster.ThrowIfAnyExited();
        }

        return runs;
    }

    /// <summary>
    /// Seconds from starting <c>scaler-cli launch</c> with a stack file (object storage, scheduler, a fixed
    /// baremetal_native manager with 2 workers, default logging) to the first result of one task submitted by a client
    /// process started at the same moment (which waits for the scheduler to listen, as a user's script would).
    /// </summary>
    public static async Task<double> StackToFirstResultAsync(string cli, TextWriter log, CancellationToken ct)
    {
        var port = FreePorts.FindConsecutive(3);
        var scheduler = $"tcp://127.0.0.1:{port}";
        var directory = Directory.CreateTempSubdirectory("scaler-cold-");
        try
        {
            var stackFile = Path.Combine(directory.FullName, "stack.toml");
            await File.WriteAllTextAsync(stackFile, $"""
                [object_storage_server]
                bind_address = "tcp://127.0.0.1:{port + 1}"

                [scheduler]
                bind_address = "{scheduler}"
                object_storage_address = "tcp://127.0.0.1:{port + 1}"
                monitor_address = "tcp://127.0.0.1:{port + 2}"

                [[worker_manager]]
                type = "baremetal_native"
                scheduler_address = "{scheduler}"
                worker_manager_id = "cold"
                mode = "fixed"
                max_task_concurrency = {Workers}
                """, ct);

            var clock = Stopwatch.StartNew();
            await using var stack = ChildProcess.Start(cli, ["launch", stackFile]);
            ColdClient.Run run;
            try
            {
                run = await ColdClient.RunProcessAsync(scheduler, 1, ct);
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"{e.Message}{Environment.NewLine}the stack's output:{Environment.NewLine}{stack.Output}", e);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  stack start to first result: {seconds:0.000} s (the client connected after {run.ConnectSeconds:0.000} s of its own, its one task took {run.JobSeconds:0.000} s)"));
            return seconds;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
