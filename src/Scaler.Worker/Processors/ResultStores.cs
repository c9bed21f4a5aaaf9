using Microsoft.Extensions.Logging;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;

namespace Scaler.Worker.Processors;

/// <summary>
/// Result objects on their way to object storage. The processor goes on with its next task as soon as a set is sent,
/// and reports the task's result to the worker when the set is acknowledged (<c>thenReport</c>): a result reported
/// before its object landed would be lost for good if the processor were killed in between (the worker would count the
/// task done, and its reader would wait in object storage for ever), whereas a task not reported yet is run again by
/// the worker when its processor dies. Also:
/// <list type="bullet">
/// <item>a set that fails is sent again, up to <see cref="Attempts"/> times, each on a fresh connection (a set is
/// idempotent);</item>
/// <item>if every attempt fails, object storage is out of reach for this processor: <paramref name="failed"/> is
/// canceled, the processor ends, and the worker runs its unreported tasks again in another.</item>
/// </list>
/// <see cref="DrainAsync"/> lets the last sets land, and their results be reported, before a clean exit.
/// <para>
/// Results are reported in the order their sets were started (the order the tasks ran): each report waits for the one
/// before it. Acknowledgements come back in order, but the code after each may run on the turn of the connection's
/// receive loop or on the pool, depending on where its request began, so without the chain a result could overtake
/// the one before it.
/// </para>
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

    /// <summary>The last set started whose report may still be to come; the next report waits for it (guarded by the gate).</summary>
    private Task _previous = Task.CompletedTask;

    /// <summary>Why a set failed for good, or null.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>
    /// Sends the set and returns; <paramref name="thenReport"/> runs once object storage has the object (not at all if
    /// the set fails for good). When the set is done at once, the returned task is <paramref name="thenReport"/>'s.
    /// A set the server refuses (the object is over its size limit, or the store is full) is not retried: that answer
    /// would not change on another connection, and a processor that ended over it would only see its task run again
    /// and refused again. <paramref name="onRefused"/> runs instead, to report the task as failed with the reason;
    /// without it a refusal is a failure like any other.
    /// </summary>
    public ValueTask Start(
        ObjectId id,
        ReadOnlyMemory<byte> content,
        Func<ValueTask>? thenReport,
        Func<ObjectStorageException, ValueTask>? onRefused,
        CancellationToken cancellationToken)
    {
        var store = storage.SetAsync(id, content, cancellationToken);
        Task previous;
        lock (_gate)
        {
            previous = _previous;
        }

        if (store.IsCompletedSuccessfully && previous.IsCompleted)
        {
            // Every report before it is done: report now (the processor loop waits for it, so nothing overtakes it).
            return thenReport?.Invoke() ?? ValueTask.CompletedTask;
        }

        var watched = WatchAsync(store, previous, id, content, thenReport, onRefused, cancellationToken);
        lock (_gate)
        {
            _previous = watched;

            // Few sets are in flight at once, so forgetting the finished ones here keeps the set small.
            _pending.RemoveWhere(task => task.IsCompleted);
            if (!watched.IsCompleted)
            {
                _pending.Add(watched);
            }
        }

        return ValueTask.CompletedTask;
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

    private async Task WatchAsync(
        Task store,
        Task previous,
        ObjectId id,
        ReadOnlyMemory<byte> content,
        Func<ValueTask>? thenReport,
        Func<ObjectStorageException, ValueTask>? onRefused,
        CancellationToken cancellationToken)
    {
        var error = await TryAsync(store).ConfigureAwait(false);

        // The report before this one first; how it ended is its own watch's business.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (error is ObjectStorageException { IsRefusal: true } refusal && onRefused is not null)
        {
            LogStoreRefused(logger, id.ToString(), refusal.Message);
            await RunReportAsync(() => onRefused(refusal)).ConfigureAwait(false);
            return;
        }

        for (var attempt = 2; error is not null && attempt <= Attempts && !cancellationToken.IsCancellationRequested; attempt++)
        {
            LogStoreRetried(logger, id.ToString(), attempt, error.Message);
            error = await RetryOnFreshConnectionAsync(id, content, cancellationToken).ConfigureAwait(false);
        }

        if (error is null)
        {
            if (thenReport is not null)
            {
                await RunReportAsync(thenReport).ConfigureAwait(false);
            }

            return;
        }

        if (!failed.IsCancellationRequested)
        {
            Failure ??= error;
            LogStoreFailed(logger, id.ToString(), error.Message);
            await failed.CancelAsync().ConfigureAwait(false);
        }
    }

    private static async Task RunReportAsync(Func<ValueTask> report)
    {
        try
        {
            await report().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The channel to the worker is gone: the processor is ending, and the worker runs the task again.
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "result object {ObjectId} refused by object storage ({Reason}); its task fails with that reason")]
    private static partial void LogStoreRefused(ILogger logger, string objectId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "result object {ObjectId} could not be stored: {Reason}; the processor stops")]
    private static partial void LogStoreFailed(ILogger logger, string objectId, string reason);
}
