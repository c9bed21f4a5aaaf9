using System.Collections.Concurrent;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;

namespace Scaler.WorkerManager.Symphony;

/// <summary>
/// The serializer and function objects the Symphony backend has fetched, by object ID, so every task of a client after
/// the first saves two object-storage round trips. Clients never change the content behind these IDs (one serializer
/// object per client; function objects are named by their content). Arguments are not cached. Thread-safe: tasks are
/// prepared concurrently, and concurrent requests for one ID share one fetch.
/// </summary>
internal sealed class ObjectFetchCache(ObjectStorageClient storage, int capacity = ObjectFetchCache.DefaultCapacity)
{
    public const int DefaultCapacity = 256;

    private readonly ConcurrentDictionary<ObjectId, Task<ReadOnlyMemory<byte>>> _objects = new();

    public int Count => _objects.Count;

    /// <summary>The object's content, fetched once. A failed or cancelled fetch is forgotten so the next task asks again.</summary>
    public Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, CancellationToken cancellationToken)
    {
        if (_objects.TryGetValue(id, out var cached) && !cached.IsFaulted && !cached.IsCanceled)
        {
            return cached;
        }

        if (_objects.Count >= capacity)
        {
            // Bounds the memory: start over (a client's objects are fetched again once).
            _objects.Clear();
        }

        var fetch = storage.GetAsync(id, cancellationToken);
        return _objects.AddOrUpdate(id, fetch, (_, old) => old.IsFaulted || old.IsCanceled ? fetch : old);
    }
}
