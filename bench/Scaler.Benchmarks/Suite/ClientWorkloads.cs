using System.Diagnostics;

namespace Scaler.Benchmarks.Suite;

/// <summary>Workloads 1–3, measured through the .NET client against a running cluster.</summary>
internal static class ClientWorkloads
{
    private static readonly Func<int, int> IdentityFunction = TaskFunctions.Identity;
    private static readonly Func<int, int> SleepFunction = TaskFunctions.Sleep;

    public sealed record TinyRun(double SubmitSeconds, double GatherSeconds, double MapSeconds);

    /// <summary>
    /// W1: <paramref name="count"/> tiny tasks submitted one by one then gathered; then (with <paramref name="map"/>)
    /// the same as one Map call (<see cref="TinyRun.MapSeconds"/> is 0 without it).
    /// </summary>
    public static async Task<TinyRun> TinyTasksAsync(Client client, int count, CancellationToken ct, bool map = true)
    {
        var futures = new ScalerFuture<int>[count];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            futures[i] = client.Submit(IdentityFunction, i);
        }

        var submit = clock.Elapsed.TotalSeconds;
        for (var i = 0; i < count; i++)
        {
            var value = await futures[i].AsTask().WaitAsync(ct);
            Check(value == i, $"task {i} returned {value}");
        }

        var gather = clock.Elapsed.TotalSeconds - submit;
        if (!map)
        {
            return new TinyRun(submit, gather, 0);
        }

        clock.Restart();
        var results = await client.MapAsync(IdentityFunction, Enumerable.Range(0, count), ct);
        var mapSeconds = clock.Elapsed.TotalSeconds;
        Check(results.Count == count && results[^1] == count - 1, "Map returned wrong results");
        return new TinyRun(submit, gather, mapSeconds);
    }

    /// <summary>W2: <paramref name="count"/> tasks sleeping <paramref name="milliseconds"/> each; returns the wall time in seconds.</summary>
    public static async Task<double> SleepTasksAsync(Client client, int count, int milliseconds, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var futures = new ScalerFuture<int>[count];
        for (var i = 0; i < count; i++)
        {
            futures[i] = client.Submit(SleepFunction, milliseconds);
        }

        foreach (var future in futures)
        {
            await future.AsTask().WaitAsync(ct);
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>W3: <paramref name="count"/> sequential round trips of one trivial task; latencies in milliseconds.</summary>
    public static async Task<double[]> RoundTripsAsync(Client client, int count, CancellationToken ct)
    {
        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var value = await client.Submit(IdentityFunction, i).AsTask().WaitAsync(ct);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Check(value == i, $"round trip {i} returned {value}");
        }

        return latencies;
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
