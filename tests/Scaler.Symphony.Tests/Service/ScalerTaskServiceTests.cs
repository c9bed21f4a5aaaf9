using Scaler.Functions;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Tests.Service;

/// <summary>The Scaler task service end to end: envelope in, scaler-cli instance processes, result envelope out.</summary>
public sealed class ScalerTaskServiceTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly LocalSoamApi _api = new([LocalApplicationProfile.ForScaler("ScalerApp", maxInstances: 2)]);
    private readonly SoamTaskSession _session;

    public ScalerTaskServiceTests() => _session = SoamTaskSession.Open(_api, new SoamTaskSessionOptions("ScalerApp"));

    public void Dispose()
    {
        _session.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task PackagedCall_RunsInAnInstanceProcessAndReturnsItsResult()
    {
        var call = PackagedCall.Create((Func<int, int, int>)SampleFunctions.Add, 20, 22);
        var greet = PackagedCall.Create((Func<string, string>)SampleFunctions.Greet, "symphony");

        var completions = await Task.WhenAll(
            _session.SubmitAsync(SymphonyTaskEnvelope.FromPackagedCall(call).Encode()),
            _session.SubmitAsync(SymphonyTaskEnvelope.FromPackagedCall(greet).Encode())).WaitAsync(Bound);

        Assert.All(completions, c => Assert.True(c.IsSuccessful, c.Error?.Message));
        var sum = SymphonyTaskResult.Decode(completions[0].Output);
        Assert.True(sum.Succeeded, sum.Succeeded ? null : sum.ReadError().ToString());
        Assert.Equal(42, call.Function.DeserializeResult(sum.Payload));
        Assert.Equal("hello symphony", greet.Function.DeserializeResult(SymphonyTaskResult.Decode(completions[1].Output).Payload));
    }

    [Fact]
    public async Task ThrowingUserFunction_GivesAFailureOutputWithTypeMessageAndStack()
    {
        var call = PackagedCall.Create((Func<int, int>)SampleFunctions.Reject, 7);

        var completion = await _session.SubmitAsync(SymphonyTaskEnvelope.FromPackagedCall(call).Encode()).WaitAsync(Bound);

        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        var result = SymphonyTaskResult.Decode(completion.Output);
        Assert.False(result.Succeeded);
        var error = result.ReadError();
        Assert.Equal(typeof(InvalidOperationException).FullName, error.TypeName);
        Assert.Equal("the value 7 is not acceptable", error.Message);
        Assert.Contains(nameof(SampleFunctions.Reject), error.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputThatIsNotAnEnvelope_IsAFatalErrorAndNotRetried()
    {
        var attempts = 0;
        var engine = ((LocalSoamConnection)typeof(SoamTaskSession)
            .GetField("_connection", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(_session)!).Engine;
        engine.TaskStarted += (_, _, _) => Interlocked.Increment(ref attempts);

        var completion = await _session.SubmitAsync("not an envelope"u8.ToArray()).WaitAsync(Bound);

        Assert.False(completion.IsSuccessful);
        var fatal = Assert.IsType<FatalException>(completion.Error!.EmbeddedException);
        Assert.Contains("magic", fatal.Message, StringComparison.Ordinal);
        Assert.Equal(1, attempts);
    }
}
