using System.Diagnostics;
using System.Globalization;
using Scaler.Benchmarks.PythonClient;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// W7: tiny Python tasks as the reference Python client sends them (its bytes, from <see cref="ReferencePythonClient"/>
/// and real cloudpickle), run by Scaler.NET workers: <c>map(inc, range(N))</c> with <c>def inc(x): return x + 1</c>.
/// One run stores the arguments (one commit, as the reference's map) and then sends every task and gathers them.
/// </summary>
internal static class PythonWorkload
{
    public const string Source = "def inc(x):\n    return x + 1\n";

    public sealed record PythonRun(double StoreSeconds, double RunSeconds)
    {
        public double TotalSeconds => StoreSeconds + RunSeconds;
    }

    /// <summary>The objects of <paramref name="count"/> tasks, made once by real cloudpickle.</summary>
    public static Task<PythonTaskObjects> MakeObjectsAsync(ReferenceClientObjects script, int count, CancellationToken ct) =>
        script.BuildAsync(Source, Enumerable.Range(0, count).Select(i => new PythonTaskCall("inc", i.ToString(CultureInfo.InvariantCulture))).ToList(), cancellationToken: ct);

    /// <summary>One run with a fresh client; every result must be a success (checked by its first bytes: a pickle).</summary>
    public static async Task<PythonRun> RunAsync(string schedulerAddress, PythonTaskObjects objects, CancellationToken ct)
    {
        var bound = TimeSpan.FromMinutes(5);
        await using var client = await ReferencePythonClient.ConnectAsync(schedulerAddress, bound, ct);
        await client.StoreSerializerAsync(objects.Serializer, ct);
        var clock = Stopwatch.StartNew();
        var function = await client.StoreObjectAsync(objects.Functions["inc"], objects.FunctionNames["inc"], ct);
        var arguments = await client.StoreObjectsAsync(objects.Tasks.Select(t => ((ReadOnlyMemory<byte>)t.Arguments[0], (string?)null)).ToList(), ct);
        var stored = clock.Elapsed.TotalSeconds;
        var results = await client.RunManyAsync(function, arguments.Select(a => (IReadOnlyList<byte[]>)[a]).ToList(), bound, ct);
        var run = clock.Elapsed.TotalSeconds - stored;
        var failed = results.Count(r => r.ResultType != TaskResultType.Success || r.ResultObject is not [0x80, ..]);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {results.Count} Python tasks did not succeed (first: {results.First(r => r.ResultType != TaskResultType.Success).ResultType})");
        }

        return new PythonRun(stored, run);
    }

    /// <summary>The decoded value of the last task's result, to check the figures are of real work (outside the clock).</summary>
    public static async Task<string?> LastValueAsync(ReferenceClientObjects script, string schedulerAddress, PythonTaskObjects objects, CancellationToken ct)
    {
        await using var client = await ReferencePythonClient.ConnectAsync(schedulerAddress, TimeSpan.FromMinutes(1), ct);
        await client.StoreSerializerAsync(objects.Serializer, ct);
        var function = await client.StoreObjectAsync(objects.Functions["inc"], objects.FunctionNames["inc"], ct);
        var argument = await client.StoreObjectAsync(objects.Tasks[^1].Arguments[0], null, ct);
        var result = await client.RunAsync(function, [argument], TimeSpan.FromMinutes(1), ct);
        return (await script.DecodeAsync(result.ResultType, result.ResultObject!, ct)).Repr;
    }
}
