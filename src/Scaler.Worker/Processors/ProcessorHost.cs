using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;
using Scaler.Protocol.Messages;
using Scaler.Python.Pickles;
using Scaler.Python.Runner;
using Scaler.Worker.Agent;

namespace Scaler.Worker.Processors;

/// <summary>
/// The inside of a processor process: reads tasks from the worker, fetches their serializer, function and argument
/// objects (and code, by hash) from object storage, runs them, stores the result object under the task's client and
/// answers TaskResult with its ID. One task at a time, while the objects of the tasks the worker sent ahead are
/// fetched; exits when the worker closes stdin. A .NET task runs here with <see cref="TaskExecutor"/>; a task of a
/// Python client (its serializer object is a pickle) runs in this processor's Python runner
/// (<see cref="PythonTaskRunner"/>), started on the first such task, so one worker runs both kinds.
/// </summary>
public static partial class ProcessorHost
{
    public static async Task<int> RunAsync(
        ScalerAddress objectStorageAddress,
        Stream fromWorker,
        Stream toWorker,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken,
        PythonRunnerOptions? python = null)
    {
        ArgumentNullException.ThrowIfNull(objectStorageAddress);
        ArgumentNullException.ThrowIfNull(fromWorker);
        ArgumentNullException.ThrowIfNull(toWorker);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(ProcessorHost));
        var identity = $"{Environment.ProcessId}|processor|{Guid.NewGuid()}";

        ObjectStorageClient storage;
        try
        {
            storage = await ObjectStorageClient.ConnectAsync(objectStorageAddress, identity, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            LogStorageUnreachable(logger, objectStorageAddress.ToString(), e.Message);
            return 1;
        }

        await using (storage.ConfigureAwait(false))
        {
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var executor = new TaskExecutor(SerializerRegistry.CreateDefault(), new CodeCache());
            using var pythonTasks = new PythonTaskRunner(
                python ?? PythonRunnerOptions.Resolve(null), loggerFactory.CreateLogger<PythonTaskRunner>(), Console.Error);
            var objects = new TaskObjectPrefetcher(storage.GetAsync);
            var stores = new ResultStores(
                storage,
                ct => ObjectStorageClient.ConnectAsync(objectStorageAddress, $"{identity}|retry|{Guid.NewGuid():N}", loggerFactory, ct),
                failed,
                logger);
            var tasks = Channel.CreateUnbounded<(string Key, TaskMessage Task)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var waiting = new WaitingTasks();
            using var writer = new SerializedFrameWriter(toWorker);
            await writer.WriteAsync(new ProcessorInitialized(), cancellationToken).ConfigureAwait(false);

            // The channel is read on its own loop so that the tasks sent ahead start their fetches while this one
            // runs, and a cancel of a task that waits behind it is answered at once; tasks themselves run one at a
            // time, in the order the worker sent them.
            var reading = ReadChannelAsync(new BufferedStream(fromWorker, PipeFrames.ReadBufferBytes), writer, objects, waiting, tasks.Writer, logger, failed.Token);
            var cpu = new TaskCpuClock();
            try
            {
                await foreach (var (key, task) in tasks.Reader.ReadAllAsync(failed.Token).ConfigureAwait(false))
                {
                    if (!waiting.TryStart(key))
                    {
                        continue;
                    }

                    var result = await RunTaskAsync(task, objects, stores, executor, pythonTasks, cpu, logger, failed.Token).ConfigureAwait(false);
                    await writer.WriteAsync(result, failed.Token).ConfigureAwait(false);
                }

                // The worker closed the channel: every stored result must have landed before the process ends.
                await stores.DrainAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException) when (stores.Failure is not null)
            {
                LogStorageLost(logger, stores.Failure.Message);
                return 1;
            }
            catch (ObjectStorageException e)
            {
                LogStorageLost(logger, e.Message);
                return 1;
            }
            catch (IOException e)
            {
                LogChannelLost(logger, e.Message);
                return 1;
            }
            finally
            {
                await failed.CancelAsync().ConfigureAwait(false);
                await reading.ConfigureAwait(false);
            }

            if (stores.Failure is not null)
            {
                LogStorageLost(logger, stores.Failure.Message);
                return 1;
            }
        }

        return 0;
    }

    /// <summary>
    /// Reads the worker's frames: a task's objects start their fetches and the task goes to the run loop; a cancel of a
    /// task that has not started is answered here. Ends the run loop's channel at the end
    /// of the stream, or with the error that broke it.
    /// </summary>
    private static async Task ReadChannelAsync(
        Stream fromWorker,
        SerializedFrameWriter toWorker,
        TaskObjectPrefetcher objects,
        WaitingTasks waiting,
        ChannelWriter<(string Key, TaskMessage Task)> tasks,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        Exception? error = null;

        // While messages are at hand this thread is in a turn (TurnContext), so the argument gets that a burst of
        // tasks causes leave in one write on this thread; the turn ends before a read that has to wait.
        var turn = false;
        try
        {
            while (true)
            {
                var next = PipeFrames.ReadAsync(fromWorker, cancellationToken);
                if (!next.IsCompleted)
                {
                    TurnContext.End(turn);
                    turn = false;
                }

                var message = await next.ConfigureAwait(false);
                if (message is null)
                {
                    break;
                }

                turn = turn || TurnContext.Begin();
                switch (message)
                {
                    case TaskCancel cancel:
                        var dropped = waiting.TryDrop(TaskKeys.Of(cancel.TaskId));
                        var confirmed = toWorker.WriteAsync(
                            new TaskCancelConfirm
                            {
                                TaskId = cancel.TaskId,
                                CancelConfirmType = dropped ? TaskCancelConfirmType.Canceled : TaskCancelConfirmType.CancelNotFound,
                            },
                            cancellationToken);
                        if (!confirmed.IsCompleted)
                        {
                            TurnContext.End(turn);
                            turn = false;
                        }

                        await confirmed.ConfigureAwait(false);
                        break;
                    case TaskMessage task:
                        var key = TaskKeys.Of(task.TaskId);

                        // Its objects are fetched now, while the tasks before it run.
                        try
                        {
                            objects.Prefetch(task, cancellationToken);
                        }
                        catch (ArgumentException e)
                        {
                            // The task itself reports the malformed ID when it runs.
                            LogPrefetchSkipped(logger, key, e.Message);
                        }

                        waiting.Add(key);
                        tasks.TryWrite((key, task));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            error = e as IOException ?? new IOException(e.Message, e);
        }
        finally
        {
            TurnContext.End(turn);
        }

        tasks.TryComplete(error);
    }

    private static async Task<TaskResult> RunTaskAsync(
        TaskMessage task,
        TaskObjectPrefetcher objects,
        ResultStores stores,
        TaskExecutor executor,
        PythonTaskRunner pythonTasks,
        TaskCpuClock cpu,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cpuBefore = cpu.Start();
        var owner = ObjectOwner.FromClientIdentity(task.Source);

        bool succeeded;
        ReadOnlyMemory<byte> payload;
        string? error;
        PythonTaskOutcome? python = null;
        try
        {
            // Every object of the task is requested at once (one round trip of latency, not one per object), and most
            // are already here: prefetched on a hint, or cached from an earlier task of the same client.
            var fetches = objects.Take(task, cancellationToken);
            var serializer = await fetches.Serializer.ConfigureAwait(false);
            var function = await fetches.Function.ConfigureAwait(false);
            var arguments = await Task.WhenAll(fetches.Arguments).ConfigureAwait(false);

            if (PickleReader.LooksLikePickle(serializer.Span))
            {
                // A Python client's task. The runner blocks this loop while it runs, as a .NET task's user code does.
                python = pythonTasks.RunTask(
                    task.TaskId, ObjectId.ForSerializer(owner).ToBytes(), serializer, task.FuncObjectId, function, arguments);
                (succeeded, payload, error) = (python.Succeeded, python.Payload, python.Succeeded ? null : python.ErrorText);
            }
            else
            {
                var outcome = await executor.ExecuteAsync(
                    serializer,
                    function,
                    arguments,
                    async (assembly, ct) => await objects.GetShared(ObjectId.FromBytes(assembly.ObjectId()), ct).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
                (succeeded, payload, error) = (outcome.Succeeded, outcome.Payload, outcome.Error?.ToString());
            }
        }
        catch (ArgumentException e)
        {
            var malformed = RemoteError.FromException(new InvalidDataException($"task has a malformed object ID: {e.Message}", e));
            (succeeded, payload, error) = (false, malformed.ToBytes(), malformed.ToString());
        }

        return Report(task, owner, succeeded, payload, error, python, started, cpu, cpuBefore, stores, logger, cancellationToken);
    }

    private static TaskResult Report(
        TaskMessage task,
        ObjectOwner owner,
        bool succeeded,
        ReadOnlyMemory<byte> payload,
        string? error,
        PythonTaskOutcome? python,
        long started,
        TaskCpuClock cpu,
        TimeSpan cpuBefore,
        ResultStores stores,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        if (error is not null)
        {
            LogTaskFailed(logger, TaskKeys.Of(task.TaskId), error);
        }

        // The result is reported without waiting for the store's answer: whoever reads it first waits on object
        // storage until the set lands (a get of a missing object waits), and a failed store ends this processor.
        var resultId = ObjectId.ForTaskOutcome(owner, task.TaskId, succeeded);
        stores.Start(resultId, payload, cancellationToken);

        // A Python task's memory and CPU are its runner's (the runner measures them around the task).
        var ownCpu = cpu.Stop() - cpuBefore;
        var profile = new ProfileResult(
            (float)Stopwatch.GetElapsedTime(started).TotalSeconds,
            (ulong)Math.Max(0, python is { MaxRssBytes: > 0 } ? python.MaxRssBytes : WorkingSetSampler.Current),
            (float)(python is null ? ownCpu : python.CpuTime).TotalSeconds);
        return new TaskResult
        {
            TaskId = task.TaskId,
            ResultType = succeeded ? TaskResultType.Success : TaskResultType.Failed,
            Metadata = profile.ToBytes(),
            Results = [resultId.ToBytes()],
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "did not prefetch the objects of task {TaskId}: {Reason}")]
    private static partial void LogPrefetchSkipped(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "processor cannot reach object storage at {Address}: {Reason}")]
    private static partial void LogStorageUnreachable(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "processor lost its object storage connection: {Reason}")]
    private static partial void LogStorageLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "processor channel to the worker lost: {Reason}")]
    private static partial void LogChannelLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} failed: {Error}")]
    private static partial void LogTaskFailed(ILogger logger, string taskId, string error);
}
