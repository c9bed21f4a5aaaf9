using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>
/// Reads, deletes and ends gets of this client's task result objects. These run beside a task's future, unawaited, so
/// none of them throws for a lost or closing connection: a get returns its failure, a delete logs it.
/// </summary>
internal sealed class ResultObjects
{
    private readonly IObjectStore _store;
    private readonly ILogger _logger;
    private readonly CancellationToken _stop;

    /// <param name="store">The object storage.</param>
    /// <param name="logger">Where failed deletes are logged.</param>
    /// <param name="stop">Canceled when the client closes; every request is given up then.</param>
    public ResultObjects(IObjectStore store, ILogger logger, CancellationToken stop)
    {
        _store = store;
        _logger = logger;
        _stop = stop;
    }

    /// <summary>Where the results are, for error messages.</summary>
    public ScalerAddress? StoreAddress => _store.Address;

    /// <summary>A get whose failure is returned rather than thrown, so an early get nobody awaits never goes unobserved.</summary>
    public async Task<(ReadOnlyMemory<byte> Content, Exception? Error)> GetQuietlyAsync(ObjectId id)
    {
        try
        {
            return (await _store.GetAsync(id, _stop).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            return (default, e);
        }
    }

    /// <summary>Deletes a result this client has read; a failure is logged (the scheduler deletes it when the client leaves).</summary>
    public async Task DeleteAsync(ObjectId resultId)
    {
        try
        {
            await _store.DeleteAsync(resultId, _stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Closing: the scheduler deletes this client's objects when it leaves.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            ClientLog.ResultDeleteFailed(_logger, resultId.ToString(), e);
        }
    }

    /// <summary>
    /// Ends a get of <paramref name="id"/> that is no longer wanted. A get waits in object storage until its object
    /// exists, and the protocol has no way to withdraw one: an empty set answers it (unless <paramref name="answered"/>),
    /// and a delete removes that object, or a result that was stored after all.
    /// </summary>
    public async Task EndGetAsync(ObjectId id, bool answered)
    {
        try
        {
            if (!answered)
            {
                await _store.SetAsync(id, ReadOnlyMemory<byte>.Empty, _stop).ConfigureAwait(false);
            }

            await _store.DeleteAsync(id, _stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing or disconnected: the get ends with the connection, and the scheduler deletes this client's objects.
        }
    }
}
