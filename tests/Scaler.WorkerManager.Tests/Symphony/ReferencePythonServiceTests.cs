using System.Globalization;
using Scaler.Benchmarks.PythonClient;
using Scaler.Python.Runner;
using Scaler.Symphony.Local;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>The cluster of <see cref="SymphonyCluster"/> whose service instances run <see cref="ReferencePythonService"/>.</summary>
public sealed class ReferencePythonServiceCluster : SymphonyCluster
{
    public ReferencePythonServiceCluster()
        : base(LocalServiceCommand.ScalerCli(
            "--service-assembly", typeof(ReferencePythonService).Assembly.Location, "--service-type", typeof(ReferencePythonService).FullName!) with
        {
            Environment = new Dictionary<string, string> { [PythonRunnerOptions.ExecutableVariable] = new ReferenceClientObjects().Interpreter },
        })
    {
    }
}

/// <summary>
/// A Python SOAM service deployed for the reference keeps working with Scaler.NET's Symphony worker manager: the
/// reference Python client's tasks (its bytes, made by real cloudpickle) reach it in the reference's contract, and its
/// answers come back to the client as the reference client reads them.
/// </summary>
public sealed class ReferencePythonServiceTests(ReferencePythonServiceCluster cluster) : IClassFixture<ReferencePythonServiceCluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ThePythonClientsMap_RunsInTheReferenceService_AndAnExceptionIsAFailedTaskTheClientLoads()
    {
        using var cts = new CancellationTokenSource(Bound);
        var script = new ReferenceClientObjects();
        var objects = await script.BuildAsync(
            "def compute(x):\n    return x ** 2\n\ndef boom(message):\n    raise ValueError(message)\n",
            [.. Enumerable.Range(0, 20).Select(i => new PythonTaskCall("compute", i.ToString(CultureInfo.InvariantCulture))), new PythonTaskCall("boom", "'no good'")],
            cancellationToken: cts.Token);
        await using var client = await ReferencePythonClient.ConnectAsync(cluster.Client.SchedulerAddress, Bound, cts.Token);
        await client.StoreSerializerAsync(objects.Serializer, cts.Token);

        var squares = await RunAsync(client, script, objects, "compute", cts.Token);
        var failed = Assert.Single(await RunAsync(client, script, objects, "boom", cts.Token));

        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * x), squares.Select(r => r.ValueJson!.Value.GetInt32()));
        Assert.Equal("builtins.RuntimeError", failed.ExceptionType);
        Assert.Contains("IBM Spectrum Symphony failed the task", failed.Message, StringComparison.Ordinal);
        Assert.Contains("ValueError: no good", failed.Message, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<DecodedPythonResult>> RunAsync(
        ReferencePythonClient client, ReferenceClientObjects script, PythonTaskObjects objects, string function, CancellationToken cancellationToken)
    {
        var results = await client.MapAsync(objects, function, Bound, cancellationToken);
        var decoded = await script.DecodeAsync(results.Select(r => new PythonResultObject(r.ResultType, r.ResultObject!)).ToList(), cancellationToken);
        Assert.All(decoded, d => Assert.True(d.Loaded, d.LoadError));
        return decoded;
    }
}
