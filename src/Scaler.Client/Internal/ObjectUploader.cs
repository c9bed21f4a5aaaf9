using Microsoft.Extensions.Logging;
using Scaler.Functions;
using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>
/// Stores the new objects and code assemblies of a batch of submissions, all at once. When one store fails, every
/// submission of the batch is handed to the failure handler before the returned task completes (their tasks may be on
/// their way already: the caller then cancels them).
/// </summary>
internal sealed class ObjectUploader
{
    private readonly IObjectStore _store;
    private readonly ILogger _logger;
    private readonly Action<IReadOnlyList<Submission>, Exception> _onFailed;
    private int _codeUploads;
    private int _objectUploads;
    private int _storesInFlight;

    /// <param name="store">Where the objects go.</param>
    /// <param name="logger">Where a failed batch is logged.</param>
    /// <param name="onFailed">Fails the batch's tasks; called once per failed batch, with the first error.</param>
    public ObjectUploader(IObjectStore store, ILogger logger, Action<IReadOnlyList<Submission>, Exception> onFailed)
    {
        _store = store;
        _logger = logger;
        _onFailed = onFailed;
    }

    /// <summary>Code assemblies stored (tests check each is stored once).</summary>
    public int CodeUploads => Volatile.Read(ref _codeUploads);

    /// <summary>Function and argument objects stored.</summary>
    public int ObjectUploads => Volatile.Read(ref _objectUploads);

    /// <summary>Stores started and not yet acknowledged (or failed): tests wait for zero.</summary>
    public int StoresInFlight => Volatile.Read(ref _storesInFlight);

    /// <summary>
    /// Stores the batch's new objects and code; false when a store failed (the batch was handed to the failure
    /// handler). A failure after <paramref name="token"/> was canceled is thrown instead: the client is closing.
    /// </summary>
    public async Task<bool> StoreAsync(IReadOnlyList<Submission> submissions, CancellationToken token)
    {
        var stores = new List<Task>();
        foreach (var submission in submissions)
        {
            foreach (var assembly in submission.Code)
            {
                stores.Add(StoreCodeAsync(assembly, token));
            }

            foreach (var upload in submission.Uploads)
            {
                stores.Add(StoreObjectAsync(upload, token));
            }
        }

        Interlocked.Add(ref _storesInFlight, stores.Count);
        try
        {
            await Task.WhenAll(stores).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !token.IsCancellationRequested)
        {
            ClientLog.UploadFailed(_logger, submissions.Count, e);
            _onFailed(submissions, e);
            return false;
        }
        finally
        {
            Interlocked.Add(ref _storesInFlight, -stores.Count);
        }
    }

    private async Task StoreObjectAsync(PendingUpload upload, CancellationToken token)
    {
        await _store.SetAsync(upload.Id, upload.Content, token).ConfigureAwait(false);
        Interlocked.Increment(ref _objectUploads);
    }

    private async Task StoreCodeAsync(CodeAssembly assembly, CancellationToken token)
    {
        var bytes = await File.ReadAllBytesAsync(assembly.Path, token).ConfigureAwait(false);
        await _store.SetAsync(ObjectId.FromBytes(assembly.Reference.ObjectId()), bytes, token).ConfigureAwait(false);
        Interlocked.Increment(ref _codeUploads);
    }
}
