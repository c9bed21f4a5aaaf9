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
    /// Most warm-up runs of workload 1 (and of the Symphony path's workload 1). Warm-up stops earlier once a run is no
    /// more than 10% faster than the one before: a fresh cluster's processes run their tiered-JIT code (with the
    /// profile-guided recompilation) for some tens of thousands of tiny tasks before they reach a steady state.
    /// </summary>
    public int MaxWarmups { get; init; } = 8;

    public bool ObjectStorage { get; init; } = true;

    /// <summary>Tasks queued in the scheduler-scale workload; 0 skips it.</summary>
    public int ScaleTasks { get; init; } = 1_000_000;

    public int FakeWorkers { get; init; } = 200;

    /// <summary>Path of bench/dask_bench.py; null skips Dask.</summary>
    public string? DaskScript { get; init; }

    /// <summary>The Python interpreter that has Dask distributed (Debian's python3-distributed lives under /usr/bin/python3).</summary>
    public string Python { get; init; } = "python3";

    /// <summary>Directory for suite.json and suite.md; null writes nothing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>The scaler-cli executable; by default the one copied next to this assembly.</summary>
    public string CliPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "scaler-cli");

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
            MaxWarmups = quick ? 2 : 8,
            ScaleTasks = int.Parse(Value("--scale-tasks") ?? (quick ? "100000" : "1000000"), System.Globalization.CultureInfo.InvariantCulture),
            FakeWorkers = quick ? 50 : 200,
            DaskScript = Value("--dask"),
            OutputDirectory = Value("--out"),
            Python = Value("--python") ?? "python3",
        };
    }
}
