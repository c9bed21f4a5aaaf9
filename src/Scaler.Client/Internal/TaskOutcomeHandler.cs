using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.Internal;

/// <summary>
/// Ends pending tasks on their outcome: the scheduler's <c>TaskResult</c> (the result object is read, or taken from
/// the task's early get when that is where it is), its <c>TaskCancelConfirm</c>, or objects that could not be stored.
/// Early gets that will not be answered with a result are ended.
/// </summary>
internal sealed class TaskOutcomeHandler
{
    private readonly PendingTasks _pending;
    private readonly EarlyResultGets _early;
    private readonly ResultObjects _objects;
    private readonly ILogger _logger;

    public TaskOutcomeHandler(PendingTasks pending, EarlyResultGets early, ResultObjects objects, ILogger logger)
    {
        _pending = pending;
        _early = early;
        _objects = objects;
        _logger = logger;
    }

    public void OnTaskResult(TaskResult result)
    {
        if (!_pending.TryRemove(result.TaskId, out var future))
        {
            _early.Abandon(result.TaskId);
            return;
        }

        var taskHex = Convert.ToHexStringLower(result.TaskId);
        switch (result.ResultType)
        {
            case TaskResultType.FailedWorkerDied:
                future.Fail(new WorkerDiedException($"the worker died while running task {taskHex}"));
                break;
            case TaskResultType.Success when !future.ExpectsResultObject:
                future.CompleteWithResult(ReadOnlyMemory<byte>.Empty);
                break;
            case TaskResultType.Failed when !future.ExpectsResultObject:
                future.Fail(new ScalerClientException($"graph {taskHex} failed"));
                break;
            case TaskResultType.Success or TaskResultType.Failed when result.Results.Count == 1 && result.Results[0].Length == ObjectId.ByteLength:
                var resultId = ObjectId.FromBytes(result.Results[0]);
                _ = FetchResultAsync(future, resultId, _early.Take(result.TaskId, resultId), result.ResultType == TaskResultType.Success, taskHex);
                return;
            case TaskResultType.Success or TaskResultType.Failed:
                future.Fail(new ScalerClientException(
                    $"the scheduler reported task {taskHex} as {result.ResultType} with {result.Results.Count} result object(s) instead of one"));
                break;
            default:
                future.Fail(new ScalerClientException($"the scheduler reported task {taskHex} with an unknown result type {(int)result.ResultType}"));
                break;
        }

        _early.Abandon(result.TaskId);
    }

    public void OnCancelConfirm(TaskCancelConfirm confirm)
    {
        if (confirm.CancelConfirmType != TaskCancelConfirmType.CancelFailed)
        {
            _early.Abandon(confirm.TaskId);
        }

        switch (confirm.CancelConfirmType)
        {
            case TaskCancelConfirmType.CancelFailed:
                ClientLog.CancelFailed(_logger, Convert.ToHexStringLower(confirm.TaskId));
                break;
            case TaskCancelConfirmType.CancelNotFound:
                ClientLog.CancelNotFound(_logger, Convert.ToHexStringLower(confirm.TaskId));
                if (_pending.TryRemove(confirm.TaskId, out var notFound))
                {
                    notFound.MarkCanceled();
                }

                break;
            default:
                if (_pending.TryRemove(confirm.TaskId, out var canceled))
                {
                    canceled.MarkCanceled();
                }

                break;
        }
    }

    /// <summary>Fails the tasks of submissions whose objects could not be stored (their tasks are canceled by the sender).</summary>
    public void OnObjectsNotStored(IReadOnlyList<Submission> submissions, Exception error)
    {
        foreach (var taskId in submissions.SelectMany(s => s.TaskIds))
        {
            _early.Abandon(taskId);
            if (_pending.TryRemove(taskId, out var future))
            {
                future.Fail(new ScalerClientException(
                    $"could not store the objects of task {Convert.ToHexStringLower(taskId)} in the object storage at {_objects.StoreAddress}: {error.Message}", error));
            }
        }
    }

    private async Task FetchResultAsync(
        IPendingTask future, ObjectId resultId, Task<(ReadOnlyMemory<byte> Content, Exception? Error)>? early, bool succeeded, string taskHex)
    {
        var (content, error) = await (early ?? _objects.GetQuietlyAsync(resultId)).ConfigureAwait(false);
        if (error is not null)
        {
            future.Fail(new ScalerClientException(
                $"task {taskHex} finished, but its result could not be read from the object storage at {_objects.StoreAddress}: {error.Message}", error));
            return;
        }

        // The result belongs to this client alone; drop it from storage once read, as the reference client does for
        // simple tasks (a graph's results may feed other nodes; the scheduler cleans them).
        if (future.DeletesResult)
        {
            _ = _objects.DeleteAsync(resultId);
        }

        if (succeeded)
        {
            future.CompleteWithResult(content);
        }
        else
        {
            future.Fail(RemoteError.Read(content.Span).ToException());
        }
    }
}
