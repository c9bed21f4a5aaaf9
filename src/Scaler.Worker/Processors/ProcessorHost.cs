using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.Protocol.Messages;
using Scaler.Python.Runner;
using Scaler.Worker.Agent;

namespace Scaler.Worker.Processors;

/// <summary>
/// The inside of a processor process: reads tasks from the worker, fetches their serializer, function and argument
/// objects (and code, by hash) from object storage while the tasks before them run, and runs them in order
/// (<see cref="ProcessorTaskLoop"/>: .NET tasks here, Python tasks in the processor's <see cref="PythonTaskRunner"/>,
/// started on the first such task, so one worker runs both kinds); exits when the worker closes stdin.
/// </summary>
public static partial class ProcessorHost
{
    public static async Task<int> RunAsync(
        ScalerAddress objectStorageAddress,
        Stream fromWorker,
        Stream toWorker,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken,
        PythonRunnerOptions? python = null,
        TlsSettings? tls = null)
    {
        ArgumentNullException.ThrowIfNull(objectStorageAddress);
        ArgumentNullException.ThrowIfNull(fromWorker);
        ArgumentNullException.ThrowIfNull(toWorker);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(ProcessorHost));
        var identity = $"{Environment.ProcessId}|processor|{Guid.NewGuid()}";
        tls ??= TlsSettings.None;

        ObjectStorageClient storage;
        try
        {
            storage = await ObjectStorageClient.ConnectAsync(
                objectStorageAddress, tls.ForConnectorToServer(new YmqOptions { Identity = identity }), loggerFactory, cancellationToken).ConfigureAwait(false);
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
                ct => ObjectStorageClient.ConnectAsync(
                    objectStorageAddress, tls.ForConnectorToServer(new YmqOptions { Identity = $"{identity}|retry|{Guid.NewGuid():N}" }), loggerFactory, ct),
                failed,
                logger);
            var tasks = Channel.CreateUnbounded<(TaskId Key, TaskMessage Task)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var waiting = new WaitingTasks();
            using var writer = new SerializedFrameWriter(toWorker);
            await writer.WriteAsync(new ProcessorInitialized(), cancellationToken).ConfigureAwait(false);

            // The channel is read on its own loop so that the tasks sent ahead start their fetches while this one
            // runs, and a cancel of a task that waits behind it is answered at once; tasks themselves run one at a
            // time, in the order the worker sent them.
            var reading = ReadChannelAsync(new BufferedStream(fromWorker, PipeFrames.ReadBufferBytes), writer, objects, waiting, tasks.Writer, logger, failed.Token);
            var loop = new ProcessorTaskLoop(tasks.Reader, waiting, objects, stores, executor, pythonTasks, writer, logger);
            try
            {
                await loop.RunAsync(failed.Token).ConfigureAwait(false);

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
        ChannelWriter<(TaskId Key, TaskMessage Task)> tasks,
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
                        var dropped = waiting.TryDrop(new TaskId(cancel.TaskId));
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
                        var key = new TaskId(task.TaskId);

                        // Its objects are fetched now, while the tasks before it run.
                        try
                        {
                            objects.Prefetch(task, cancellationToken);
                        }
                        catch (ArgumentException e)
                        {
                            // The task itself reports the malformed ID when it runs.
                            LogPrefetchSkipped(logger, key.ToHexString(), e.Message);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "did not prefetch the objects of task {TaskId}: {Reason}")]
    private static partial void LogPrefetchSkipped(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "processor cannot reach object storage at {Address}: {Reason}")]
    private static partial void LogStorageUnreachable(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "processor lost its object storage connection: {Reason}")]
    private static partial void LogStorageLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "processor channel to the worker lost: {Reason}")]
    private static partial void LogChannelLost(ILogger logger, string reason);

}
