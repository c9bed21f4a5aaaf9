using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;

namespace Scaler.Worker.Processors;

/// <summary>
/// The serializer and function objects a processor has already fetched, by object ID. Clients never change the
/// content behind these IDs (a client has one serializer object, and function objects are named by their content),
/// so every task of a client after the first saves two object-storage round trips, as the reference's processor
/// object cache does. Arguments are not cached: they are usually different for every task.
/// </summary>
internal sealed class SharedObjectCache(ObjectStorageClient storage)
{
    /// <summary>Bounds the memory: the cache starts over when it holds this many objects.</summary>
    internal const int Capacity = 256;

    private readonly Dictionary<ObjectId, Task<ReadOnlyMemory<byte>>> _objects = [];

    public int Count => _objects.Count;

    /// <summary>The object's content, fetched once. A failed fetch is forgotten so the next task asks again.</summary>
    public Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, CancellationToken cancellationToken)
    {
        if (_objects.TryGetValue(id, out var cached) && !cached.IsFaulted && !cached.IsCanceled)
        {
            return cached;
        }

        if (_objects.Count >= Capacity)
        {
            _objects.Clear();
        }

        var fetch = storage.GetAsync(id, cancellationToken);
        _objects[id] = fetch;
        return fetch;
    }
}
