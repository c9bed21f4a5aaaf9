using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Text;
using Scaler.Functions;
using Scaler.Python.Pickles;
using Scaler.Python.Symphony;
using Scaler.Python.Runner;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Service;

/// <summary>
/// The Symphony service that runs Scaler tasks, .NET and Python alike. A .NET task's input is a
/// <see cref="SymphonyTaskEnvelope"/>, run with <see cref="TaskExecutor"/>; the output is a <see cref="SymphonyTaskResult"/>.
/// A Python task's input is a pickle in the reference worker manager's contract (<c>cloudpickle.loads(input)</c> is
/// <c>(function, *arguments)</c>), run by this instance's <see cref="PythonTaskRunner"/>: see <see cref="RunPythonTask"/>. Whatever the user's function does
/// (returns, throws) gives an output, so Symphony never retries a deterministic failure. An input that is not an
/// envelope this service can read is a <see cref="FatalException"/>: retrying cannot fix it. Code an envelope names by
/// hash only comes from this instance's <see cref="CodeCache"/>; when it is not there and the envelope says the worker
/// resolves code by hash, the output is a <see cref="SymphonyTaskResultKind.CodeMissing"/> result (see docs/symphony.md).
/// </summary>
public sealed partial class ScalerTaskService : ServiceContainer
{
    private readonly ILogger _logger;
    private readonly PythonRunnerOptions _python;
    private TaskExecutor? _executor;
    private PythonTaskRunner? _pythonTasks;

    public ScalerTaskService(ILogger? logger = null, PythonRunnerOptions? python = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _python = python ?? PythonRunnerOptions.Resolve(null);
    }

    public override void OnCreateService(ServiceContext serviceContext)
    {
        ArgumentNullException.ThrowIfNull(serviceContext);
        _executor = new TaskExecutor(SerializerRegistry.CreateDefault(), new CodeCache());
        LogCreated(_logger, serviceContext.ApplicationName, serviceContext.ServiceName);
    }

    public override void OnInvoke(TaskContext taskContext)
    {
        ArgumentNullException.ThrowIfNull(taskContext);
        var input = taskContext.PopulateTaskInput();
        if (PickleReader.LooksLikePickle(input.Span))
        {
            RunPythonTask(taskContext, input);
            return;
        }

        var executor = _executor ??= new TaskExecutor(SerializerRegistry.CreateDefault(), new CodeCache());
        SymphonyTaskEnvelope envelope;
        try
        {
            envelope = SymphonyTaskEnvelope.Decode(input);
        }
        catch (SymphonyEnvelopeException e)
        {
            throw new FatalException($"task {taskContext.TaskId}: {e.Message}", e);
        }

        // Code named by hash only is resolved from the executor's CodeCache (this instance's cache by SHA-256: every
        // assembly it loaded, with its bytes). Whatever the cache lacks and the envelope does not carry is recorded.
        List<CodeAssemblyReference>? missing = null;
        ValueTask<ReadOnlyMemory<byte>> FetchCode(CodeAssemblyReference assembly, CancellationToken cancellationToken)
        {
            foreach (var code in envelope.CodeAssemblies)
            {
                if (code.HasBytes && string.Equals(code.Reference.Sha256Hex, assembly.Sha256Hex, StringComparison.Ordinal))
                {
                    return ValueTask.FromResult(code.Bytes);
                }
            }

            (missing ??= []).Add(assembly);
            throw new InvalidOperationException($"code assembly {assembly} is neither included in the task envelope nor cached by this service instance");
        }

        // OnInvoke is synchronous in SOAM; the executor only goes asynchronous for awaitable user results, so the
        // usual task completes synchronously and is read without wrapping it in a Task.
        var pending = executor.ExecuteAsync(envelope.SerializerObject, envelope.FunctionObject, envelope.ArgumentObjects, FetchCode);
        var outcome = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        var byHash = envelope.Flags.HasFlag(SymphonyEnvelopeFlags.ResolvesCodeByHash);
        SymphonyTaskResult result;
        if (missing is not null && byHash)
        {
            // Not a failure of the task: the worker resends it with the bytes (never a SOAM failure, so no retries).
            LogCodeMissing(_logger, taskContext.SessionId, taskContext.TaskId, string.Join(", ", missing));
            result = SymphonyTaskResult.CodeMissing(missing);
        }
        else
        {
            if (!outcome.Succeeded)
            {
                LogTaskFailed(_logger, taskContext.SessionId, taskContext.TaskId, outcome.Error?.ToString() ?? "unknown error");
            }

            // A worker that resolves code by hash reads layout 2, which tells it this service can too.
            result = SymphonyTaskResult.FromOutcome(outcome).WithVersion(byHash ? SymphonyTaskResult.LayoutVersion : (ushort)1);
        }

        taskContext.SetTaskOutput(result.Encode());
    }

    /// <summary>
    /// Runs a Python task in this instance's runner (started on the first one). A Scaler.NET worker manager marks its
    /// inputs (<see cref="PythonSoamTaskInput"/>'s trailer) and gets a <see cref="SymphonyTaskResult"/>: success with
    /// <c>cloudpickle.dumps(result)</c>, or failed with the pickled exception, both successful SOAM outputs, so a task
    /// that raised is not retried and its client gets the exception itself. Any other sender (the reference worker
    /// manager) gets the reference contract: the bare output, and a failed SOAM task when the function raised. A runner
    /// that died (the task called <c>os._exit</c>, crashed) answers a marked input with a pickled
    /// <c>ProcessorDiedError</c>, as a native worker does, and fails an unmarked one for Symphony to retry.
    /// </summary>
    private void RunPythonTask(TaskContext taskContext, ReadOnlyMemory<byte> input)
    {
        var inEnvelope = PythonSoamTaskInput.TryReadTrailer(input.Span, out var flags) && flags.HasFlag(PythonSoamInputFlags.AnswerInEnvelope);
        var runner = _pythonTasks ??= new PythonTaskRunner(_python, _logger, Console.Error);
        var outcome = runner.RunSoamTask(Encoding.UTF8.GetBytes(taskContext.TaskId), input);
        if (!outcome.Succeeded)
        {
            LogTaskFailed(_logger, taskContext.SessionId, taskContext.TaskId, outcome.ErrorText);
        }

        if (inEnvelope)
        {
            var result = outcome.Succeeded ? SymphonyTaskResult.Success(outcome.Payload).WithVersion(SymphonyTaskResult.LayoutVersion) : SymphonyTaskResult.Failure(outcome.Payload);
            taskContext.SetTaskOutput(result.Encode());
            return;
        }

        if (outcome.Succeeded)
        {
            taskContext.SetTaskOutput(outcome.Payload);
            return;
        }

        throw new FailureException(Summary(outcome));
    }

    /// <summary>One line for SOAM: a traceback's last line ("Type: message"), or the first line of the runner's own error.</summary>
    private static string Summary(PythonTaskOutcome outcome)
    {
        var lines = outcome.ErrorText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "the Python task failed" : outcome.Status == PythonTaskStatus.Failed ? lines[^1] : lines[0];
    }

    public override void OnDestroyService()
    {
        _pythonTasks?.Dispose();
        _pythonTasks = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scaler task service created for application {Application}, service {Service}")]
    private static partial void LogCreated(ILogger logger, string application, string service);

    [LoggerMessage(Level = LogLevel.Information, Message = "session {SessionId} task {TaskId}: code missing from this instance ({Missing}); the worker resends it with the bytes")]
    private static partial void LogCodeMissing(ILogger logger, string sessionId, string taskId, string missing);

    [LoggerMessage(Level = LogLevel.Information, Message = "session {SessionId} task {TaskId} failed: {Error}")]
    private static partial void LogTaskFailed(ILogger logger, string sessionId, string taskId, string error);
}
