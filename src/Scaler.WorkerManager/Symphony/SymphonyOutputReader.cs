using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;
using Scaler.Worker.Execution;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// Reads what Symphony answered for a task: a Scaler result envelope (or a Python task's reference-contract output),
/// a code-missing answer, or a Symphony-level failure, and says what it means for the Scaler task
/// (<see cref="SymphonyTaskOutcome"/>). It also keeps the <see cref="ServiceCodeLedger"/> up to date with what the
/// answers show the service holds. It never sends or stores anything.
/// </summary>
internal sealed partial class SymphonyOutputReader(ServiceCodeLedger codeLedger, string applicationName, ILogger logger)
{
    private int _codeMissingAnswers;

    /// <summary>How many code-missing answers the service gave (each one made its task be sent again with the bytes).</summary>
    public int CodeMissingAnswers => Volatile.Read(ref _codeMissingAnswers);

    /// <summary>A failure the backend reports, in the format of the task's client (a pickled exception for a Python client).</summary>
    public static ReadOnlyMemory<byte> ErrorPayload(InFlightTask task, RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(error);
        return task.Language == TaskLanguage.Python ? PythonSoamContract.Failure(error.Message) : error.ToBytes();
    }

    /// <summary>What a successful SOAM output (the service set one) means for <paramref name="task"/>.</summary>
    public SymphonyTaskOutcome Read(InFlightTask task, SoamTaskCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(completion);
        if (task.Language == TaskLanguage.Python)
        {
            var (type, resultObject) = PythonSoamContract.ReadOutput(completion.Output, task.ReferenceDefaultSerializer, completion.TaskId);
            return SymphonyTaskOutcome.Finished(type, resultObject);
        }

        SymphonyTaskResult result;
        try
        {
            result = SymphonyTaskResult.Decode(completion.Output);
        }
#pragma warning disable CA1031 // an output that is not a Scaler task result fails that task with the reason
        catch (Exception e)
#pragma warning restore CA1031
        {
            var error = new RemoteError(
                typeof(InvalidDataException).FullName!,
                $"Symphony task {completion.TaskId} returned an output that is not a Scaler task result: {e.Message}",
                string.Empty);
            return SymphonyTaskOutcome.Finished(TaskResultType.Failed, ErrorPayload(task, error));
        }

        // Layout 2 says the instance resolves code by hash. An instance of an older service package answers layout 1
        // and cannot say "code missing": its failure of a task that omitted code may be just that, so the task is
        // resent once with its bytes, and code is sent with every task until a layout-2 answer comes again.
        codeLedger.ObserveResultLayout(result.Version);
        if (result.Version < 2 && result.Kind == SymphonyTaskResultKind.Failed && task.OmittedCode && !task.IncludeAllCode)
        {
            return SymphonyTaskOutcome.Resend("an instance older than result layout 2 failed a task that omitted code bytes");
        }

        switch (result.Kind)
        {
            case SymphonyTaskResultKind.CodeMissing:
                return CodeMissing(task, completion, result);
            case SymphonyTaskResultKind.Success:
                codeLedger.Ran(task.CodeCarried);
                return SymphonyTaskOutcome.Finished(TaskResultType.Success, result.Payload);
            default:
                return SymphonyTaskOutcome.Finished(TaskResultType.Failed, result.Payload);
        }
    }

    /// <summary>
    /// The error payload of a task Symphony failed itself (retries exhausted after a crashed instance, a
    /// <c>FatalException</c>, a <c>FailureException</c> past <c>taskRetryLimit</c>): the embedded exception's type, or
    /// <see cref="SoamException"/>, and a message naming the SOAM task, the session and the application.
    /// </summary>
    public ReadOnlyMemory<byte> FailedInSymphony(InFlightTask task, SoamTaskCompletion completion, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(completion);
        var soam = completion.Error;
        var embedded = soam?.EmbeddedException;
        var detail = embedded is null ? soam?.Message : $"{soam?.Message} ({embedded.GetType().Name}: {embedded.Message})";
        var error = new RemoteError(
            (embedded ?? (Exception?)soam)?.GetType().FullName ?? typeof(SoamException).FullName!,
            $"IBM Spectrum Symphony failed the task (SOAM task {completion.TaskId} in session {sessionId}, "
                + $"application {applicationName}): {detail}",
            embedded?.StackTrace ?? soam?.StackTrace ?? string.Empty);
        LogTaskFailedInSymphony(logger, Convert.ToHexString(task.Key.Span), completion.TaskId, detail ?? "no reason given");
        return ErrorPayload(task, error);
    }

    /// <summary>
    /// The service instance that ran the task lacks code the envelope named by hash only (a new or restarted
    /// instance): the task is built again with every code assembly's bytes and sent again. The hashes stay "at the
    /// service" for later tasks: other instances have them, and this one caches them from the resend when it gets it.
    /// A task that carried all its code and still gets this answer fails: resending could only loop.
    /// </summary>
    private SymphonyTaskOutcome CodeMissing(InFlightTask task, SoamTaskCompletion completion, SymphonyTaskResult result)
    {
        Interlocked.Increment(ref _codeMissingAnswers);
        var missing = string.Join(", ", result.ReadMissingCode());
        if (task.IncludeAllCode)
        {
            var error = new RemoteError(
                typeof(InvalidDataException).FullName!,
                $"the Symphony service answered code-missing ({missing}) for SOAM task {completion.TaskId}, which carried the bytes of every code assembly",
                string.Empty);
            return SymphonyTaskOutcome.Finished(TaskResultType.Failed, ErrorPayload(task, error));
        }

        return SymphonyTaskOutcome.Resend("the service lacks code " + missing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} failed in Symphony (SOAM task {SoamTaskId}): {Reason}")]
    private static partial void LogTaskFailedInSymphony(ILogger logger, string taskId, string soamTaskId, string reason);
}
