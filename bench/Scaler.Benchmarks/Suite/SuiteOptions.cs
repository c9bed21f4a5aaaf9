namespace Scaler.Benchmarks.Suite;

/// <summary>What the suite runs and how big. <see cref="Parse"/> reads the <c>suite</c> command's arguments.</summary>
public sealed class SuiteOptions
{
    public int TinyTasks { get; init; } = 10_000;

    public int SleepTasks { get; init; } = 1_000;

    public int SleepMilliseconds { get; init; } = 10;

    public int RoundTrips { get; init; } = 500;

    public int Repeats { get; init; } = 3;

    /// <summary>
    /// Most warm-up runs of workload 1 (and of the Symphony path's workload 1). Warm-up stops earlier once two runs in a
    /// row are each no more than 10% faster than the one before: a fresh cluster's processes run their tiered-JIT code
    /// (with the profile-guided recompilation) for some tens of thousands of tiny tasks before they reach a steady state.
    /// </summary>
    public int MaxWarmups { get; init; } = 10;

    /// <summary>
    /// Warm-up runs of workload 3 (each of <see cref="RoundTrips"/>) before the measured ones, for both systems: the
    /// latency path (a get answered by a set, a future completed from it) reaches its steady state only after some
    /// thousands of round trips, as workload 1's path does (decision 19).
    /// </summary>
    public int RoundTripWarmups { get; init; } = 10;

    public bool ObjectStorage { get; init; } = true;

    /// <summary>Jobs run on each cold stack (fresh client process each): the first is the cold figure, the last shows where the stack got to.</summary>
    public int ColdJobs { get; init; } = 5;

    /// <summary>Tasks queued in the scheduler-scale workload; 0 skips it.</summary>
    public int ScaleTasks { get; init; } = 1_000_000;

    public int FakeWorkers { get; init; } = 200;

    /// <summary>Path of bench/dask_bench.py; null skips Dask.</summary>
    public string? DaskScript { get; init; }

    /// <summary>
    /// The Python interpreter that has Dask distributed and cloudpickle (Debian's python3-distributed and
    /// python3-cloudpickle live under /usr/bin/python3, which need not be the first python3 on PATH).
    /// </summary>
    public string Python { get; init; } = DefaultPython;

    private static string DefaultPython => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Directory for suite.json and suite.md; null writes nothing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>
    /// The scaler-cli executable that starts every stack: <c>--cli PATH</c>, else <c>SCALER_BENCH_CLI</c>, else the one
    /// copied next to this assembly. Another build (a ReadyToRun or Native AOT publish) is how start-up choices are
    /// compared on every figure of the suite (docs/cold-start.md).
    /// </summary>
    public string CliPath { get; init; } = DefaultCliPath;

    public static string DefaultCliPath =>
        Environment.GetEnvironmentVariable("SCALER_BENCH_CLI") is { Length: > 0 } other ? other : Path.Combine(AppContext.BaseDirectory, "scaler-cli");

    public static SuiteOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        string? Value(string name)
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

        return new SuiteOptions
        {
            TinyTasks = quick ? 2_000 : 10_000,
            SleepTasks = quick ? 200 : 1_000,
            RoundTrips = quick ? 200 : 500,
            MaxWarmups = quick ? 2 : 10,
            RoundTripWarmups = quick ? 1 : 10,
            ColdJobs = quick ? 2 : 5,
            ScaleTasks = int.Parse(Value("--scale-tasks") ?? (quick ? "100000" : "1000000"), System.Globalization.CultureInfo.InvariantCulture),
            FakeWorkers = quick ? 50 : 200,
            DaskScript = Value("--dask"),
            OutputDirectory = Value("--out"),
            Python = Value("--python") ?? DefaultPython,
            CliPath = Value("--cli") ?? DefaultCliPath,
        };
    }
}
