using Scaler.Functions;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Tests.Service;

/// <summary>
/// Code by hash against one real scaler-cli service instance (so the order of tasks decides what it has cached):
/// a fresh instance answers code-missing, the same task with bytes runs, then hash-only tasks run from its cache.
/// </summary>
public sealed class ScalerTaskServiceCodeByHashTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly LocalSoamApi _api = new([LocalApplicationProfile.ForScaler("ScalerByHashApp", maxInstances: 1)]);
    private readonly SoamTaskSession _session;

    public ScalerTaskServiceCodeByHashTests() => _session = SoamTaskSession.Open(_api, new SoamTaskSessionOptions("ScalerByHashApp"));

    public void Dispose()
    {
        _session.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task FreshInstance_AnswersCodeMissing_ThenRunsFromItsCacheOnceItGotTheBytes()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 20, 22);
        var withBytes = SymphonyTaskEnvelope.FromPackagedCall(call);
        var byHash = new SymphonyTaskEnvelope(
            withBytes.SerializerObject,
            withBytes.FunctionObject,
            withBytes.ArgumentObjects,
            [.. withBytes.CodeAssemblies.Select(c => new SymphonyCodeAssembly(c.Reference, ReadOnlyMemory<byte>.Empty))],
            SymphonyEnvelopeFlags.ResolvesCodeByHash);
        var ownAssembly = withBytes.CodeAssemblies.Single(c => c.Reference.Name == typeof(SampleFunctions).Assembly.GetName().Name).Reference;

        var missing = await RunAsync(byHash);
        var legacyHashOnly = await RunAsync(new SymphonyTaskEnvelope(
            byHash.SerializerObject, byHash.FunctionObject, byHash.ArgumentObjects, byHash.CodeAssemblies, SymphonyEnvelopeFlags.None));
        var resent = await RunAsync(new SymphonyTaskEnvelope(
            withBytes.SerializerObject, withBytes.FunctionObject, withBytes.ArgumentObjects, withBytes.CodeAssemblies, SymphonyEnvelopeFlags.ResolvesCodeByHash));
        var cached = await RunAsync(byHash);

        Assert.Equal(SymphonyTaskResultKind.CodeMissing, missing.Kind);
        Assert.Contains(ownAssembly.Sha256Hex, missing.ReadMissingCode());
        Assert.All(missing.ReadMissingCode(), sha => Assert.Contains(sha, withBytes.CodeAssemblies.Select(c => c.Reference.Sha256Hex)));

        // A sender that did not set the flag gets the old answer: a failed task, in layout 1.
        Assert.Equal(SymphonyTaskResultKind.Failed, legacyHashOnly.Kind);
        Assert.Equal((ushort)1, legacyHashOnly.Version);
        Assert.Contains("nor cached by this service instance", legacyHashOnly.ReadError().Message, StringComparison.Ordinal);

        Assert.Equal(SymphonyTaskResultKind.Success, resent.Kind);
        Assert.Equal((ushort)2, resent.Version);
        Assert.Equal(42, call.Function.DeserializeResult(resent.Payload));
        Assert.Equal(SymphonyTaskResultKind.Success, cached.Kind);
        Assert.Equal(42, call.Function.DeserializeResult(cached.Payload));
        Assert.Equal(1, ((LocalSoamConnection)GetConnection()).Engine.InstancesStarted);
    }

    private async Task<SymphonyTaskResult> RunAsync(SymphonyTaskEnvelope envelope)
    {
        var completion = await _session.SubmitAsync(envelope.Encode()).WaitAsync(Bound);
        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        return SymphonyTaskResult.Decode(completion.Output);
    }

    private ISoamConnection GetConnection() => (ISoamConnection)typeof(SoamTaskSession)
        .GetField("_connection", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
        .GetValue(_session)!;
}
