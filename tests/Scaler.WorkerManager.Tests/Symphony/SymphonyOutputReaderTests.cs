using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;
using Scaler.Worker.Execution;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// What the output reader makes of each answer, on its own: code missing (resend once, then fail), an older service's
/// failure of a task that omitted code (resend), a success (the service now holds what the task carried), an output
/// that is not a Scaler result, and a failure Symphony made itself.
/// </summary>
public sealed class SymphonyOutputReaderTests
{
    private static readonly CodeAssemblyReference Code = PackagedCall.Create(new Func<int, int>(SymphonyFunctions.Square), 1).CodeAssemblies[0].Reference;

    [Fact]
    public void CodeMissing_TaskThatOmittedCode_IsResent_ThenFailsIfItCarriedEverything()
    {
        var reader = Reader(new ServiceCodeLedger());
        var task = DotNetTask();
        task.OmittedCode = true;
        var answer = SymphonyTaskResult.CodeMissing([Code]).Encode();

        var first = reader.Read(task, Output(answer));

        Assert.True(first.ResendWithCode);
        Assert.Contains(Code.Sha256Hex, first.ResendWithCodeBecause, StringComparison.Ordinal);

        task.IncludeAllCode = true;
        var second = reader.Read(task, Output(answer));

        Assert.False(second.ResendWithCode);
        Assert.Equal(TaskResultType.Failed, second.Type);
        Assert.Contains("carried the bytes of every code assembly", RemoteError.Read(second.Payload.Span).Message, StringComparison.Ordinal);
        Assert.Equal(2, reader.CodeMissingAnswers);
    }

    [Fact]
    public void OlderServiceFailsATaskThatOmittedCode_IsResent_AndCodeIsSentUntilALayoutTwoAnswer()
    {
        var ledger = new ServiceCodeLedger();
        ledger.ObserveResultLayout(2);
        ledger.Ran([Code.Sha256Hex]);
        var reader = Reader(ledger);
        var task = DotNetTask();
        task.OmittedCode = true;

        var outcome = reader.Read(task, Output(SymphonyTaskResult.Failure(new RemoteError("X", "no such code", "")).Encode()));

        Assert.True(outcome.ResendWithCode);
        Assert.False(ledger.MayOmit(Code.Sha256Hex));
    }

    [Fact]
    public void Success_ServiceNowHoldsTheCodeTheTaskCarried()
    {
        var ledger = new ServiceCodeLedger();
        var reader = Reader(ledger);
        var task = DotNetTask();
        task.CodeCarried = [Code.Sha256Hex];

        var outcome = reader.Read(task, Output(SymphonyTaskResult.Success("42"u8.ToArray()).WithVersion(2).Encode()));

        Assert.Equal(TaskResultType.Success, outcome.Type);
        Assert.Equal("42"u8.ToArray(), outcome.Payload.ToArray());
        Assert.True(ledger.MayOmit(Code.Sha256Hex));
    }

    [Fact]
    public void OutputThatIsNotAScalerResult_FailsTheTaskWithTheReason()
    {
        var outcome = Reader(new ServiceCodeLedger()).Read(DotNetTask(), Output("garbage"u8.ToArray()));

        Assert.Equal(TaskResultType.Failed, outcome.Type);
        var error = RemoteError.Read(outcome.Payload.Span);
        Assert.Equal(typeof(InvalidDataException).FullName, error.TypeName);
        Assert.Contains("not a Scaler task result", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedBySymphony_NamesTheEmbeddedException_TheSessionAndTheApplication()
    {
        var reader = Reader(new ServiceCodeLedger());
        var completion = Failed(new SoamException("retries ran out", new FatalException("the service gave up")));

        var error = RemoteError.Read(reader.FailedInSymphony(DotNetTask(), completion, "session-9").Span);

        Assert.Equal(typeof(FatalException).FullName, error.TypeName);
        Assert.Contains("session session-9", error.Message, StringComparison.Ordinal);
        Assert.Contains("application ReaderApp", error.Message, StringComparison.Ordinal);
        Assert.Contains("the service gave up", error.Message, StringComparison.Ordinal);
    }

    private static SymphonyOutputReader Reader(ServiceCodeLedger ledger) => new(ledger, "ReaderApp", NullLogger.Instance);

    private static InFlightTask DotNetTask()
    {
        var message = new TaskMessage { TaskId = Guid.NewGuid().ToByteArray(), Source = "Client|reader-test"u8.ToArray(), FuncObjectId = new byte[32] };
        return new InFlightTask(message, new TaskId(message.TaskId)) { Language = TaskLanguage.DotNet };
    }

    /// <summary>A completion as <see cref="SoamTaskSession"/> delivers it for this output (its factories are Scaler.Symphony's own).</summary>
    private static SoamTaskCompletion Output(byte[] output) => Complete(session => session.Answer("1", output));

    private static SoamTaskCompletion Failed(SoamException exception) => Complete(session => session.FailTask("1", exception));

    private static SoamTaskCompletion Complete(Action<FakeSoamApi.FakeSoamSession> answer)
    {
        var api = new FakeSoamApi();
        using var session = SoamTaskSession.Open(api, new SoamTaskSessionOptions("ReaderApp"));
        SoamTaskCompletion? delivered = null;
        session.Submit("input"u8.ToArray(), completion => delivered = completion);
        answer(api.Sessions.Single());
        return delivered ?? throw new InvalidOperationException("no completion was delivered");
    }
}
