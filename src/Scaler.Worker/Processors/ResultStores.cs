using Microsoft.Extensions.Logging;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;

namespace Scaler.Worker.Processors;

/// <summary>
/// Result objects on their way to object storage. A processor reports a task's result as soon as the set is sent, not
/// when it is acknowledged, which takes one object-storage round trip off every task. This keeps the promise that
/// makes that safe: every set is watched, the first that fails cancels <paramref name="failed"/> (the processor then
/// ends and the worker fails its task and starts another processor), and <see cref="DrainAsync"/> lets the last ones land
/// before a clean exit.
/// </summary>
internal sealed partial class ResultStores(ObjectStorageClient storage, CancellationTokenSource failed, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _pending = [];

    /// <summary>Why a set failed, or null.</summary>
    public Exception? Failure { get; private set; }

    public void Start(ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var store = storage.SetAsync(id, content, cancellationToken);
        if (store.IsCompletedSuccessfully)
        {
            return;
        }

        lock (_gate)
        {
            _pending.Add(store);
        }

        _ = WatchAsync(store);
    }

    /// <summary>Waits for every set started so far; a failure is in <see cref="Failure"/>.</summary>
    public async Task DrainAsync()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }

        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectStorageException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Recorded by the watcher.
        }
    }

    private async Task WatchAsync(Task store)
    {
        try
        {
            await store.ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectStorageException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (!failed.IsCancellationRequested)
            {
                Failure ??= e;
                LogStoreFailed(logger, e.Message);
                await failed.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                _pending.Remove(store);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "a result object could not be stored: {Reason}; the processor stops")]
    private static partial void LogStoreFailed(ILogger logger, string reason);
}
