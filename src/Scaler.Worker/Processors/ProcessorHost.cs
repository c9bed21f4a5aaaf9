using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;
using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;

namespace Scaler.Worker.Processors;

/// <summary>
/// The inside of a processor process: reads tasks from the worker, fetches their serializer, function and argument
/// objects (and code, by hash) from object storage, runs them with <see cref="TaskExecutor"/>, stores the result object
/// under the task's client and answers TaskResult with its ID. One task at a time; exits when the worker closes stdin.
/// </summary>
public static partial class ProcessorHost
{
    public static async Task<int> RunAsync(
        ScalerAddress objectStorageAddress, Stream fromWorker, Stream toWorker, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
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
            var executor = new TaskExecutor(SerializerRegistry.CreateDefault(), new CodeCache());
            var sharedObjects = new SharedObjectCache(storage);
            using var self = Process.GetCurrentProcess();
            await PipeFrames.WriteAsync(toWorker, new ProcessorInitialized(), cancellationToken).ConfigureAwait(false);
            try
            {
                while (await PipeFrames.ReadAsync(fromWorker, cancellationToken).ConfigureAwait(false) is { } message)
                {
                    if (message is not TaskMessage task)
                    {
                        continue;
                    }

                    var result = await RunTaskAsync(task, storage, sharedObjects, executor, self, logger, cancellationToken).ConfigureAwait(false);
                    await PipeFrames.WriteAsync(toWorker, result, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
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
        }

        return 0;
    }

    private static async Task<TaskResult> RunTaskAsync(
        TaskMessage task,
        ObjectStorageClient storage,
        SharedObjectCache sharedObjects,
        TaskExecutor executor,
        Process self,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        self.Refresh();
        var cpuBefore = self.TotalProcessorTime;
        var owner = ObjectOwner.FromClientIdentity(task.Source);

        bool succeeded;
        ReadOnlyMemory<byte> payload;
        RemoteError? error;
        try
        {
            // All of a task's objects are requested at once (one round trip of latency, not one per object); the
            // serializer and function come from the cache when an earlier task of the same client used them.
            var serializerFetch = sharedObjects.GetAsync(ObjectId.ForSerializer(owner), cancellationToken);
            var functionFetch = sharedObjects.GetAsync(ObjectId.FromBytes(task.FuncObjectId), cancellationToken);
            var argumentFetches = task.FunctionArgs
                .Select(argument => storage.GetAsync(ObjectId.FromBytes(argument.Data), cancellationToken))
                .ToArray();
            var serializer = await serializerFetch.ConfigureAwait(false);
            var function = await functionFetch.ConfigureAwait(false);
            var arguments = await Task.WhenAll(argumentFetches).ConfigureAwait(false);

            var outcome = await executor.ExecuteAsync(
                serializer,
                function,
                arguments,
                async (assembly, ct) => await storage.GetAsync(ObjectId.FromBytes(assembly.ObjectId()), ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            (succeeded, payload, error) = (outcome.Succeeded, outcome.Payload, outcome.Error);
        }
        catch (ArgumentException e)
        {
            error = RemoteError.FromException(new InvalidDataException($"task has a malformed object ID: {e.Message}", e));
            (succeeded, payload) = (false, error.ToBytes());
        }

        if (error is not null)
        {
            LogTaskFailed(logger, TaskKeys.Of(task.TaskId), error.ToString());
        }

        var resultId = ObjectId.NewUnique(owner);
        await storage.SetAsync(resultId, payload, cancellationToken).ConfigureAwait(false);

        self.Refresh();
        var profile = new ProfileResult(
            (float)Stopwatch.GetElapsedTime(started).TotalSeconds,
            (ulong)Math.Max(0, self.PeakWorkingSet64),
            (float)(self.TotalProcessorTime - cpuBefore).TotalSeconds);
        return new TaskResult
        {
            TaskId = task.TaskId,
            ResultType = succeeded ? TaskResultType.Success : TaskResultType.Failed,
            Metadata = profile.ToBytes(),
            Results = [resultId.ToBytes()],
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "processor cannot reach object storage at {Address}: {Reason}")]
    private static partial void LogStorageUnreachable(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "processor lost its object storage connection: {Reason}")]
    private static partial void LogStorageLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "processor channel to the worker lost: {Reason}")]
    private static partial void LogChannelLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} failed: {Error}")]
    private static partial void LogTaskFailed(ILogger logger, string taskId, string error);
}
