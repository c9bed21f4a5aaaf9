using System.Collections.Concurrent;
using Scaler.Identity;

namespace Scaler.Worker.Execution;

/// <summary>
/// Serializer, function and code objects an execution backend has fetched, by object ID, so every task of a client
/// after the first saves their object-storage round trips (the native processor's prefetcher and the Symphony backend
/// both keep one). Clients never change the content behind these IDs (one serializer object per client; function
/// objects are named by their content). Arguments are not kept here. Thread-safe; concurrent requests for one ID share
/// one fetch.
/// </summary>
internal sealed class ObjectFetchCache(
    Func<ObjectId, CancellationToken, Task<ReadOnlyMemory<byte>>> fetch, int capacity = ObjectFetchCache.DefaultCapacity)
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

        var started = fetch(id, cancellationToken);
        return _objects.AddOrUpdate(id, started, (_, old) => old.IsFaulted || old.IsCanceled ? started : old);
    }
}
