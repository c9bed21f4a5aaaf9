using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Python.Pickles;
using Scaler.Python.Runner;
using Scaler.Worker.Agent;
using Scaler.Worker.Execution;

namespace Scaler.Worker.Processors;

/// <summary>
/// A processor's task loop: takes the tasks the worker sent, in order, runs each and reports its TaskResult. A .NET
/// task runs here with <see cref="TaskExecutor"/>. A task of a Python client (its serializer object is a pickle) runs
/// in the processor's <see cref="PythonTaskRunner"/>, together with the Python tasks waiting right behind it whose
/// objects are all here (up to <see cref="MaxPythonBatch"/>): they go to the runner in one write and their results come
/// back as each ends, so a burst of tiny tasks costs one wake-up of each process instead of one per task.
/// </summary>
/// <remarks>
/// A task is started (no longer cancelable without force) when it is taken for a batch, as the one task at the head
/// always was. The results are reported one by one, as the runner answers, so the worker sees each task end when it
/// ends (its timeout, and the next one's start, count from there).
/// </remarks>
internal sealed partial class ProcessorTaskLoop(
    ChannelReader<(TaskId Key, TaskMessage Task)> tasks,
    WaitingTasks waiting,
    TaskObjectPrefetcher objects,
    ResultStores stores,
    TaskExecutor executor,
    PythonTaskRunner pythonTasks,
    SerializedFrameWriter toWorker,
    ILogger logger)
{
    /// <summary>Python tasks sent to the runner in one write at most.</summary>
    internal const int MaxPythonBatch = 32;

    private readonly TaskCpuClock _cpu = new();

    /// <summary>Runs until the worker closes the channel; the channel's error, if it broke, is thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        StartedTask? carried = null;
        while (carried is not null || await tasks.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var current = carried ?? TryStartNext(cancellationToken);
            carried = null;
            if (current is null)
            {
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            var cpuBefore = _cpu.Start();
            Loaded loaded;
            try
            {
                loaded = await LoadAsync(current).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                var malformed = RemoteError.FromException(new InvalidDataException($"task has a malformed object ID: {e.Message}", e));
                await ReportAsync(current.Task, false, malformed.ToBytes(), malformed.ToString(), started, _cpu.Stop() - cpuBefore, null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (PickleReader.LooksLikePickle(loaded.Serializer.Span))
            {
                carried = await RunPythonBatchAsync(loaded, started, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var outcome = await executor.ExecuteAsync(
                loaded.Serializer,
                loaded.Function,
                loaded.Arguments,
                async (assembly, ct) => await objects.GetShared(ObjectId.FromBytes(assembly.ObjectId()), ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            await ReportAsync(
                current.Task, outcome.Succeeded, outcome.Payload, outcome.Error?.ToString(), started, _cpu.Stop() - cpuBefore, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="first"/> and the Python tasks behind it whose objects are here, in one batch; returns the
    /// task taken that could not join (its objects are not all here, or it is not a Python task), to run next.
    /// </summary>
    private async Task<StartedTask?> RunPythonBatchAsync(Loaded first, long started, CancellationToken cancellationToken)
    {
        var batch = new List<Loaded> { first };
        StartedTask? carried = null;
        while (batch.Count < MaxPythonBatch && TryStartNext(cancellationToken) is { } next)
        {
            if (next.Objects is not { } fetches || !fetches.AllFetched || !PickleReader.LooksLikePickle(fetches.Serializer.Result.Span))
            {
                carried = next;
                break;
            }

            batch.Add(await LoadAsync(next).ConfigureAwait(false));
        }

        var requests = batch.Select(b => new PythonTaskRequest(
            b.Task.TaskId, ObjectId.ForSerializer(ObjectOwner.FromClientIdentity(b.Task.Source)).ToBytes(), b.Serializer, b.Task.FuncObjectId, b.Function, b.Arguments)).ToList();
        var index = 0;
        foreach (var outcome in pythonTasks.RunTasks(requests))
        {
            // The runner blocks this loop while it runs, as a .NET task's user code does; a task's time runs from the
            // end of the one before it, which is when the worker counts it as started.
            var task = batch[index++].Task;
            await ReportAsync(task, outcome.Succeeded, outcome.Payload, outcome.Succeeded ? null : outcome.ErrorText, started, outcome.CpuTime, outcome, cancellationToken)
                .ConfigureAwait(false);
            started = Stopwatch.GetTimestamp();
        }

        _cpu.Stop();
        return carried;
    }

    /// <summary>The next task the worker sent that was not dropped by a cancel, marked started, with its object fetches.</summary>
    private StartedTask? TryStartNext(CancellationToken cancellationToken)
    {
        while (tasks.TryRead(out var item))
        {
            if (!waiting.TryStart(item.Key))
            {
                continue;
            }

            try
            {
                // Every object of the task is requested at once (one round trip of latency, not one per object), and
                // most are already here: prefetched on a hint, or cached from an earlier task of the same client.
                return new StartedTask(item.Task, objects.Take(item.Task, cancellationToken), null);
            }
            catch (ArgumentException e)
            {
                return new StartedTask(item.Task, null, e);
            }
        }

        return null;
    }

    private static async Task<Loaded> LoadAsync(StartedTask task)
    {
        if (task.Objects is not { } fetches)
        {
            throw task.Malformed!;
        }

        var serializer = await fetches.Serializer.ConfigureAwait(false);
        var function = await fetches.Function.ConfigureAwait(false);
        var arguments = await Task.WhenAll(fetches.Arguments).ConfigureAwait(false);
        return new Loaded(task.Task, serializer, function, arguments);
    }

    private async Task ReportAsync(
        TaskMessage task,
        bool succeeded,
        ReadOnlyMemory<byte> payload,
        string? error,
        long started,
        TimeSpan cpu,
        PythonTaskOutcome? python,
        CancellationToken cancellationToken)
    {
        if (error is not null)
        {
            LogTaskFailed(logger, new TaskId(task.TaskId).ToHexString(), error);
        }

        // A Python task's memory and CPU are its runner's (the runner measures them around the task).
        var resultId = ObjectId.ForTaskOutcome(ObjectOwner.FromClientIdentity(task.Source), task.TaskId, succeeded);
        var profile = new ProfileResult(
            (float)Stopwatch.GetElapsedTime(started).TotalSeconds,
            (ulong)Math.Max(0, python is { MaxRssBytes: > 0 } ? python.MaxRssBytes : WorkingSetSampler.Current),
            (float)cpu.TotalSeconds);
        var result = new TaskResult
        {
            TaskId = task.TaskId,
            ResultType = succeeded ? TaskResultType.Success : TaskResultType.Failed,
            Metadata = profile.ToBytes(),
            Results = [resultId.ToBytes()],
        };

        // The next task starts without waiting for the store's answer; the result is reported once the object has
        // landed, so a processor killed in between leaves the task unreported and the worker runs it again (decision 31).
        await stores.Start(
            resultId,
            payload,
            () => toWorker.WriteAsync(result, cancellationToken),
            refusal => ReportRefusedAsync(task, payload.Length, refusal, python is not null, profile, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fails a task whose result object storage refused (too large, or the store is full), with the refusal as its
    /// error in the client's format, so its caller learns why instead of seeing the task run again and again.
    /// </summary>
    private ValueTask ReportRefusedAsync(
        TaskMessage task, int resultBytes, ObjectStorageException refusal, bool python, ProfileResult profile, CancellationToken cancellationToken)
    {
        var failure = WorkerFailure.ResultRefused(resultBytes, refusal.Message);
        LogTaskFailed(logger, new TaskId(task.TaskId).ToHexString(), failure.Message);
        var payload = failure.ToPayload(python ? TaskLanguage.Python : TaskLanguage.DotNet);
        var failedId = ObjectId.ForTaskOutcome(ObjectOwner.FromClientIdentity(task.Source), task.TaskId, succeeded: false);
        var failed = new TaskResult
        {
            TaskId = task.TaskId,
            ResultType = TaskResultType.Failed,
            Metadata = profile.ToBytes(),
            Results = [failedId.ToBytes()],
        };

        // No second refusal handler: an error this small refused too means a full store, which is a storage failure.
        return stores.Start(failedId, payload, () => toWorker.WriteAsync(failed, cancellationToken), null, cancellationToken);
    }

    /// <summary>A task taken from the channel and marked started: its object fetches, or why its object IDs are malformed.</summary>
    private sealed record StartedTask(TaskMessage Task, TaskObjects? Objects, ArgumentException? Malformed);

    /// <summary>A task with its objects.</summary>
    private sealed record Loaded(TaskMessage Task, ReadOnlyMemory<byte> Serializer, ReadOnlyMemory<byte> Function, ReadOnlyMemory<byte>[] Arguments);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} failed: {Error}")]
    private static partial void LogTaskFailed(ILogger logger, string taskId, string error);
}
