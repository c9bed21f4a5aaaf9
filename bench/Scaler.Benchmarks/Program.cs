namespace Scaler.Benchmarks;

internal static class Program
{
    private static readonly string[] Known = ["codec", "transport", "object-storage", "suite", "symphony", "tiny", "python", "chaos", "object-storage-memory", "cold"];

    /// <summary>Runs the benchmark named by the first argument (e.g. <c>transport</c>), or every benchmark when none is named.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["transport-echo", var address])
        {
            // The other process of the transport benchmark's two-process round trips.
            return await TransportBenchmark.EchoAsync(address);
        }

        if (args is [Suite.MachineCalibration.EchoCommand])
        {
            // The other process of the suite's machine calibration (beside workload 3).
            return Suite.MachineCalibration.Echo();
        }

        if (args is [Suite.ColdClient.Command, var coldAddress, var coldTasks])
        {
            // The fresh client process of the cold figures.
            return await Suite.ColdClient.RunAsync(coldAddress, int.Parse(coldTasks, System.Globalization.CultureInfo.InvariantCulture));
        }

        var which = args.Length > 0 ? args[0] : "all";
        if (which != "all" && !Known.Contains(which))
        {
            Console.Error.WriteLine($"unknown benchmark '{which}': expected one of {string.Join(", ", Known)} or all");
            return 2;
        }

        if (which == "tiny")
        {
            // Workload 1 in a loop against a running scheduler: something steady to profile with dotnet-trace or perf.
            return await Suite.TinyLoop.RunAsync(args[1..]);
        }

        if (which == "suite")
        {
            // Not part of "all": it starts processes and (optionally) Dask; scripts/bench-suite.sh runs it.
            return await Suite.SuiteRunner.MainAsync(args[1..]);
        }

        if (which is "codec" or "all")
        {
            CodecBenchmark.Run();
        }

        if (which is "transport" or "all")
        {
            await TransportBenchmark.RunAsync();
        }

        if (which is "object-storage" or "all")
        {
            await ObjectStorageBenchmark.RunAsync();
        }

        if (which is "object-storage-memory")
        {
            // Not part of "all": it needs about 5 GB of free memory.
            await ObjectStorageMemoryBenchmark.RunAsync(args);
            return 0;
        }

        if (which is "chaos")
        {
            // Not part of "all": the bounded chaos soak of scripts/chaos.sh.
            return await Chaos.ChaosSoak.RunAsync(args[1..]);
        }

        if (which is "cold")
        {
            // Not part of "all": the suite's cold figures alone (jobs on fresh stacks, stack start to first result).
            return await Suite.ColdStartWorkload.RunStandaloneAsync(args[1..]);
        }

        if (which is "python")
        {
            // Not part of "all": W7 alone (tiny Python tasks through native and Symphony workers).
            await PythonTasksBenchmark.RunAsync(args);
            return 0;
        }

        if (which is "symphony")
        {
            // Not part of "all": it starts real processes and takes about a minute.
            await SymphonyBenchmark.RunAsync(args);
        }

        return 0;
    }
}
