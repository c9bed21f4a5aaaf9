using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Functions;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Service;

/// <summary>
/// The Symphony service that runs Scaler tasks: each task input is a <see cref="SymphonyTaskEnvelope"/>, run with
/// <see cref="TaskExecutor"/>; the output is a <see cref="SymphonyTaskResult"/>. Whatever the user's function does
/// (returns, throws) gives an output, so Symphony never retries a deterministic failure. An input that is not an
/// envelope this service can read is a <see cref="FatalException"/>: retrying cannot fix it.
/// </summary>
public sealed partial class ScalerTaskService : ServiceContainer
{
    private readonly ILogger _logger;
    private TaskExecutor? _executor;

    public ScalerTaskService(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

    public override void OnCreateService(ServiceContext serviceContext)
    {
        ArgumentNullException.ThrowIfNull(serviceContext);
        _executor = new TaskExecutor(SerializerRegistry.CreateDefault(), new CodeCache());
        LogCreated(_logger, serviceContext.ApplicationName, serviceContext.ServiceName);
    }

    public override void OnInvoke(TaskContext taskContext)
    {
        ArgumentNullException.ThrowIfNull(taskContext);
        var executor = _executor ??= new TaskExecutor(SerializerRegistry.CreateDefault(), new CodeCache());
        SymphonyTaskEnvelope envelope;
        try
        {
            envelope = SymphonyTaskEnvelope.Decode(taskContext.PopulateTaskInput());
        }
        catch (SymphonyEnvelopeException e)
        {
            throw new FatalException($"task {taskContext.TaskId}: {e.Message}", e);
        }

        // OnInvoke is synchronous in SOAM; the executor only goes asynchronous for awaitable user results.
        var outcome = executor
            .ExecuteAsync(envelope.SerializerObject, envelope.FunctionObject, envelope.ArgumentObjects, envelope.FetchCodeAsync)
            .AsTask()
            .GetAwaiter()
            .GetResult();
        if (!outcome.Succeeded)
        {
            LogTaskFailed(_logger, taskContext.SessionId, taskContext.TaskId, outcome.Error?.ToString() ?? "unknown error");
        }

        taskContext.SetTaskOutput(SymphonyTaskResult.FromOutcome(outcome).Encode());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scaler task service created for application {Application}, service {Service}")]
    private static partial void LogCreated(ILogger logger, string application, string service);

    [LoggerMessage(Level = LogLevel.Information, Message = "session {SessionId} task {TaskId} failed: {Error}")]
    private static partial void LogTaskFailed(ILogger logger, string sessionId, string taskId, string error);
}
