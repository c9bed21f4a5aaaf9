using Microsoft.Extensions.Logging;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;

namespace Scaler.Worker.Processors;

/// <summary>
/// Result objects on their way to object storage. A processor reports a task's result as soon as the set is sent, not
/// when it is acknowledged, which takes one object-storage round trip off every task. What makes that safe:
/// <list type="bullet">
/// <item>whoever reads the result first waits in object storage until the set lands (a get of a missing ID waits);</item>
/// <item>a set that fails is sent again, up to <see cref="Attempts"/> times, each on a fresh connection (a set is
/// idempotent), because the result was already reported and nobody else can bring it back;</item>
/// <item>if every attempt fails, object storage is out of reach for this processor: <paramref name="failed"/> is
/// canceled, the processor ends, and the worker fails its task and starts another. A reader of the lost result is
/// then connected to the same unreachable storage and fails too rather than waiting for ever.</item>
/// </list>
/// <see cref="DrainAsync"/> lets the last sets land before a clean exit.
/// </summary>
internal sealed partial class ResultStores(
    ObjectStorageClient storage,
    Func<CancellationToken, Task<ObjectStorageClient>> reconnect,
    CancellationTokenSource failed,
    ILogger logger)
{
    /// <summary>Tries of one set in all, the first on the processor's own connection.</summary>
    internal const int Attempts = 3;

    private readonly Lock _gate = new();
    private readonly HashSet<Task> _pending = [];

    /// <summary>Why a set failed for good, or null.</summary>
    public Exception? Failure { get; private set; }

    public void Start(ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var store = storage.SetAsync(id, content, cancellationToken);
        if (store.IsCompletedSuccessfully)
        {
            return;
        }

        var watched = WatchAsync(store, id, content, cancellationToken);
        lock (_gate)
        {
            // Few sets are in flight at once, so forgetting the finished ones here keeps the set small.
            _pending.RemoveWhere(task => task.IsCompleted);
            if (!watched.IsCompleted)
            {
                _pending.Add(watched);
            }
        }
    }

    /// <summary>Waits for every set started so far (with its retries); a failure is in <see cref="Failure"/>.</summary>
    public async Task DrainAsync()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async Task WatchAsync(Task store, ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var error = await TryAsync(store).ConfigureAwait(false);
        for (var attempt = 2; error is not null && attempt <= Attempts && !cancellationToken.IsCancellationRequested; attempt++)
        {
            LogStoreRetried(logger, id.ToString(), attempt, error.Message);
            error = await RetryOnFreshConnectionAsync(id, content, cancellationToken).ConfigureAwait(false);
        }

        if (error is not null && !failed.IsCancellationRequested)
        {
            Failure ??= error;
            LogStoreFailed(logger, id.ToString(), error.Message);
            await failed.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task<Exception?> RetryOnFreshConnectionAsync(ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            var fresh = await reconnect(cancellationToken).ConfigureAwait(false);
            await using (fresh.ConfigureAwait(false))
            {
                return await TryAsync(fresh.SetAsync(id, content, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            return e;
        }
    }

    private static async Task<Exception?> TryAsync(Task store)
    {
        try
        {
            await store.ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            return e;
        }
    }

    private static bool IsStorageFailure(Exception e) =>
        e is ObjectStorageException or IOException or OperationCanceledException or ObjectDisposedException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "storing result object {ObjectId} failed ({Reason}); attempt {Attempt} on a fresh connection")]
    private static partial void LogStoreRetried(ILogger logger, string objectId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "result object {ObjectId} could not be stored: {Reason}; the processor stops")]
    private static partial void LogStoreFailed(ILogger logger, string objectId, string reason);
}
