using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Scaler.Benchmarks.Suite;

/// <summary>Runs bench/dask_bench.py (workloads 1–3 on a Dask LocalCluster) and reads the JSON it prints.</summary>
internal static class DaskRunner
{
    public static async Task<Dictionary<string, double>> RunAsync(string script, SuiteOptions options, TextWriter log, CancellationToken ct)
    {
        var info = new ProcessStartInfo(options.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            script, "--tiny-tasks", Str(options.TinyTasks), "--sleep-tasks", Str(options.SleepTasks),
            "--sleep-ms", Str(options.SleepMilliseconds), "--round-trips", Str(options.RoundTrips), "--repeats", Str(options.Repeats),
            "--max-warmups", Str(options.MaxWarmups), "--round-trip-warmups", Str(options.RoundTripWarmups),
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {options.Python}");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = await process.StandardOutput.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dask_bench.py exited with {process.ExitCode}: {await stderr}");
        }

        var json = stdout.Split('\n').Last(l => l.TrimStart().StartsWith('{'));
        var values = JsonSerializer.Deserialize<Dictionary<string, double>>(json) ?? [];
        log.WriteLine($"dask: {json.Trim()}");
        return values;
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
