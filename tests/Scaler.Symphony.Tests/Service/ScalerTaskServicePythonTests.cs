using Scaler.Python.Pickles;
using Scaler.Python.Runner;
using Scaler.Python.Symphony;
using Scaler.Python.Tests.Support;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Tests.Service;

/// <summary>
/// Python tasks in the Scaler task service, end to end through the local engine: the reference worker manager's
/// contract (a pickled (function, *arguments) in, cloudpickle.dumps(result) out) run by scaler-cli instance processes.
/// </summary>
public sealed class ScalerTaskServicePythonTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly LocalSoamApi _api;
    private readonly SoamTaskSession _session;
    private int _attempts;

    public ScalerTaskServicePythonTests()
    {
        var command = LocalServiceCommand.ScalerCli() with
        {
            Environment = new Dictionary<string, string> { [PythonRunnerOptions.ExecutableVariable] = TestPython.Executable },
        };
        _api = new LocalSoamApi([LocalApplicationProfile.ForScaler("ScalerApp", maxInstances: 2, command)]);
        _session = SoamTaskSession.Open(_api, new SoamTaskSessionOptions("ScalerApp"));
        var engine = ((LocalSoamConnection)typeof(SoamTaskSession)
            .GetField("_connection", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(_session)!).Engine;
        engine.TaskStarted += (_, _, _) => Interlocked.Increment(ref _attempts);
    }

    public void Dispose()
    {
        _session.Dispose();
        _api.Dispose();
    }

    [Fact]
    public async Task MarkedInput_IsAnsweredInTheResultEnvelopeWithTheResultObject()
    {
        var completion = await _session.SubmitAsync(Input(GoldenObjects.Square, GoldenObjects.Seven, PythonSoamInputFlags.AnswerInEnvelope)).WaitAsync(Bound);

        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        var result = SymphonyTaskResult.Decode(completion.Output);
        Assert.Equal(SymphonyTaskResultKind.Success, result.Kind);
        Assert.Equal("49", TestPython.Run("import cloudpickle, sys; print(cloudpickle.loads(sys.stdin.buffer.read()))", result.Payload.ToArray()));
    }

    [Fact]
    public async Task ReferenceContractInput_IsAnsweredWithTheBareCloudpickleOutput()
    {
        var completion = await _session.SubmitAsync(Input(GoldenObjects.Square, GoldenObjects.Seven, flags: null)).WaitAsync(Bound);

        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        Assert.Equal("49", TestPython.Run("import cloudpickle, sys; print(cloudpickle.loads(sys.stdin.buffer.read()))", completion.Output.ToArray()));
    }

    [Fact]
    public async Task MarkedInputThatRaises_IsAFailedResultWithThePickledException_NotRetried()
    {
        var completion = await _session.SubmitAsync(Input(GoldenObjects.Boom, GoldenObjects.GoldenErrorText, PythonSoamInputFlags.AnswerInEnvelope)).WaitAsync(Bound);

        Assert.True(completion.IsSuccessful, completion.Error?.Message);
        var result = SymphonyTaskResult.Decode(completion.Output);
        Assert.Equal(SymphonyTaskResultKind.Failed, result.Kind);
        Assert.True(PythonPickles.TryDescribeException(result.Payload, out var type, out var message));
        Assert.Equal(("ValueError", "golden-error"), (type, message));
        Assert.Equal(1, Volatile.Read(ref _attempts));
    }

    [Fact]
    public async Task ReferenceContractInputThatRaises_IsAFailedSoamTaskRetriedAsTheProfileSays()
    {
        var completion = await _session.SubmitAsync(Input(GoldenObjects.Boom, GoldenObjects.GoldenErrorText, flags: null)).WaitAsync(Bound);

        Assert.False(completion.IsSuccessful);
        var failure = Assert.IsType<FailureException>(completion.Error!.EmbeddedException);
        Assert.Contains("ValueError: golden-error", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, Volatile.Read(ref _attempts)); // taskRetryLimit 1 in Scaler's profile
    }

    [Fact]
    public async Task ATaskThatKillsItsRunner_IsAProcessorDiedError_AndTheInstanceRunsTheNextTask()
    {
        var made = TestPython.Run("""
            import cloudpickle, base64, os
            def die(code):
                os._exit(code)
            print(base64.b64encode(cloudpickle.dumps(die)).decode())
            """);

        var died = await _session.SubmitAsync(Input(Convert.FromBase64String(made), GoldenObjects.Seven, PythonSoamInputFlags.AnswerInEnvelope)).WaitAsync(Bound);
        var next = await _session.SubmitAsync(Input(GoldenObjects.Square, GoldenObjects.Seven, PythonSoamInputFlags.AnswerInEnvelope)).WaitAsync(Bound);

        var result = SymphonyTaskResult.Decode(died.Output);
        Assert.Equal(SymphonyTaskResultKind.Failed, result.Kind);
        Assert.True(PythonPickles.TryDescribeException(result.Payload, out var type, out var message));
        Assert.Equal("scaler.utility.exceptions.ProcessorDiedError", type);
        Assert.Contains("exit code 7", message, StringComparison.Ordinal);
        Assert.Equal(SymphonyTaskResultKind.Success, SymphonyTaskResult.Decode(next.Output).Kind);
    }

    private static byte[] Input(byte[] function, byte[] argument, PythonSoamInputFlags? flags)
    {
        var input = PythonSoamTaskInput.Build(GoldenObjects.Serializer, referenceDefaultSerializer: true, function, [argument], flags ?? PythonSoamInputFlags.None);
        return flags is null ? input[..^PythonSoamTaskInput.TrailerLength] : input;
    }
}
