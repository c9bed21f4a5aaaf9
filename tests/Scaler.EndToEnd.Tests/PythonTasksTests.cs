using System.Globalization;
using Scaler.Benchmarks.PythonClient;
using Scaler.EndToEnd.Tests.Support;
using Scaler.Protocol.Messages;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// The page's step 4 on Scaler.NET: a Python client (the reference client's bytes, from <see cref="ReferencePythonClient"/>
/// and real cloudpickle) maps functions over a stack of real scaler-cli processes, through native workers and through
/// the Symphony worker manager on the local engine; the results and failures are read back as the reference client
/// reads them.
/// </summary>
public sealed class PythonTasksTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    /// <summary>What a user's client script defines (in its __main__, so cloudpickle ships the functions by value).</summary>
    internal const string ClientScript = """
        import os

        def compute(x):
            return x ** 2

        def make_adder(n):
            def add(x):
                return x + n
            return add

        def add(a, b):
            return a + b

        def boom(message):
            raise ValueError(message)

        def die(code):
            os._exit(code)
        """;

    [Fact]
    public async Task NativeWorkers_RunTheSeedPagesPythonMap_AClosure_AStarmap_AnExceptionAndADeadProcessor()
    {
        var script = new ReferenceClientObjects();
        await using var cluster = await LocalCluster.StartFixedAsync(2, "--python-executable", script.Interpreter);

        await RunPythonJobAsync(cluster, script, runnerProfile: true);
    }

    [Fact]
    public async Task SymphonyWorkerManager_StartedAsThePageSays_RunsThePythonMapAndTheRest()
    {
        var script = new ReferenceClientObjects();
        await using var cluster = await LocalCluster.StartSchedulerAsync();
        cluster.StartSymphonyManager(2, "--python-executable", script.Interpreter);

        await RunPythonJobAsync(cluster, script, runnerProfile: false);
        Assert.Contains(cluster.Manager!.Lines, line => line.Contains($"worker manager symphony-{Environment.MachineName}-{cluster.Manager.Id} (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PythonAndDotNetClients_ShareOneSchedulerAndItsWorkers()
    {
        using var cts = new CancellationTokenSource(Bound);
        var script = new ReferenceClientObjects();
        var objects = await script.BuildAsync(ClientScript, Calls("compute", 0, 40).ToList(), cancellationToken: cts.Token);
        await using var cluster = await LocalCluster.StartFixedAsync(2, "--python-executable", script.Interpreter);
        await using var python = await ReferencePythonClient.ConnectAsync(cluster.Address, Bound, cts.Token);
        await using var dotnet = await cluster.ConnectAsync(cts.Token);
        await python.StoreSerializerAsync(objects.Serializer, cts.Token);

        var pythonMap = MapAsync(python, script, objects, "compute", cts.Token);
        var dotnetMap = dotnet.MapAsync(RemoteFunctions.Square, Enumerable.Range(0, 40), cts.Token);
        await Task.WhenAll(pythonMap, dotnetMap);

        Assert.Equal(Enumerable.Range(0, 40).Select(x => x * x), (await pythonMap).Select(r => r.ValueJson!.Value.GetInt32()));
        Assert.Equal(Enumerable.Range(0, 40).Select(x => x * x), await dotnetMap);
    }

    [Fact]
    public async Task TaskTimeout_OfAPythonTask_IsAPickledTimeoutErrorThePythonClientLoads()
    {
        using var cts = new CancellationTokenSource(Bound);
        var script = new ReferenceClientObjects();
        var objects = await script.BuildAsync("import time\ndef sleepy(s):\n    time.sleep(s)\n", [new PythonTaskCall("sleepy", "60")], cancellationToken: cts.Token);
        await using var cluster = await LocalCluster.StartFixedAsync(1, "--python-executable", script.Interpreter, "--task-timeout-seconds", "1");
        await using var python = await ReferencePythonClient.ConnectAsync(cluster.Address, Bound, cts.Token);
        await python.StoreSerializerAsync(objects.Serializer, cts.Token);

        var result = Assert.Single(await MapAsync(python, script, objects, "sleepy", cts.Token));

        Assert.Equal("builtins.TimeoutError", result.ExceptionType);
        Assert.Contains("task timeout of 1 seconds", result.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The job of the page's step 4 and more: map(compute, range(50)); a closure; a two-argument starmap; a task that
    /// raises ValueError, which must arrive as itself (type, message, traceback); a task that kills its process, which
    /// fails alone as the reference's ProcessorDiedError while the tasks beside it succeed.
    /// </summary>
    internal static async Task RunPythonJobAsync(LocalCluster cluster, ReferenceClientObjects script, bool runnerProfile)
    {
        using var cts = new CancellationTokenSource(2 * Bound);
        var calls = Calls("compute", 0, 50)
            .Concat(Enumerable.Range(0, 5).Select(i => new PythonTaskCall("make_adder(100)", I(i))))
            .Concat(Enumerable.Range(0, 5).Select(i => new PythonTaskCall("add", I(i), I(10 * i))))
            .Append(new PythonTaskCall("boom", "'from the worker'"))
            .Append(new PythonTaskCall("die", "3"))
            .ToList();
        var objects = await script.BuildAsync(ClientScript, calls, cancellationToken: cts.Token);
        await using var client = await ReferencePythonClient.ConnectAsync(cluster.Address, Bound, cts.Token);
        await client.StoreSerializerAsync(objects.Serializer, cts.Token);

        var squares = await MapAsync(client, script, objects, "compute", cts.Token, results =>
        {
            // A native worker's profile in TaskResult.metadata is the runner's: a Python interpreter's peak RSS, some
            // megabytes. (Through Symphony a task's profile is its duration only, as for .NET tasks: SOAM outputs carry none.)
            Assert.All(results, r => Assert.True(
                !runnerProfile ||
                Scaler.Worker.Agent.ProfileResult.TryRead(r.Metadata, out var profile) && profile.MemoryPeakBytes > 4_000_000 && profile.DurationSeconds >= 0,
                $"profile metadata {Convert.ToHexString(r.Metadata)}"));
        });
        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x), squares.Select(r => r.ValueJson?.GetInt32() ?? throw new Xunit.Sdk.XunitException($"{r}{Environment.NewLine}{cluster.Output}")));

        var closure = await MapAsync(client, script, objects, "make_adder(100)", cts.Token);
        Assert.Equal(Enumerable.Range(100, 5), closure.Select(r => r.ValueJson!.Value.GetInt32()));

        var starmap = await MapAsync(client, script, objects, "add", cts.Token);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => 11 * i), starmap.Select(r => r.ValueJson!.Value.GetInt32()));

        var raised = Assert.Single(await MapAsync(client, script, objects, "boom", cts.Token));
        Assert.Equal("builtins.ValueError", raised.ExceptionType);
        Assert.Equal("from the worker", raised.Message);
        Assert.Contains("in boom", raised.Traceback, StringComparison.Ordinal);

        // The dying task and healthy ones at once: only the dying one fails, and the worker goes on.
        var died = MapAsync(client, script, objects, "die", cts.Token);
        var beside = MapAsync(client, script, objects, "compute", cts.Token);
        var dead = Assert.Single(await died);
        Assert.Equal("scaler.utility.exceptions.ProcessorDiedError", dead.ExceptionType);
        Assert.Contains("exit code 3", dead.Message, StringComparison.Ordinal);

        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x), (await beside).Select(r => r.ValueJson!.Value.GetInt32()));
    }

    /// <summary>As the reference client's map: the function and each task's arguments are stored, every task sent, then all gathered and read.</summary>
    private static async Task<IReadOnlyList<DecodedPythonResult>> MapAsync(
        ReferencePythonClient client,
        ReferenceClientObjects script,
        PythonTaskObjects objects,
        string function,
        CancellationToken cancellationToken,
        Action<IReadOnlyList<ReferenceTaskResult>>? inspect = null)
    {
        var results = await client.MapAsync(objects, function, Bound, cancellationToken);
        Assert.All(results, r => Assert.NotNull(r.ResultObject));
        inspect?.Invoke(results);
        var decoded = await script.DecodeAsync(results.Select(r => new PythonResultObject(r.ResultType, r.ResultObject!)).ToList(), cancellationToken);
        Assert.All(decoded, d => Assert.True(d.Loaded, $"the reference client could not load a result: {d.LoadError}"));
        Assert.All(results.Zip(decoded), pair => Assert.Equal(pair.First.ResultType == TaskResultType.Success, pair.Second.ExceptionType is null));
        return decoded;
    }

    private static IEnumerable<PythonTaskCall> Calls(string function, int from, int count) =>
        Enumerable.Range(from, count).Select(i => new PythonTaskCall(function, I(i)));

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
