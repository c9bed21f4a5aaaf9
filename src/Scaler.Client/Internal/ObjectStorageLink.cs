using Scaler.IO.Addressing;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;

namespace Scaler.Internal;

/// <summary>
/// The client's object storage connection. The parts that use it are built with the client, but the connection is made
/// only once the scheduler has named the storage (<see cref="Attach"/>); nothing uses it before: the send loop starts
/// after it, and the scheduler has no task of ours to answer before then.
/// </summary>
internal sealed class ObjectStorageLink : IObjectStore, IAsyncDisposable
{
    private ObjectStorageClient? _client;

    public ScalerAddress? Address => _client?.RemoteAddress;

    private ObjectStorageClient Client => _client ?? throw new InvalidOperationException("the object storage is not connected yet");

    public void Attach(ObjectStorageClient client) => _client = client;

    // Pass-throughs, not async methods: the storage client's awaits already resume where the caller's turn is
    // (ConfigureAwait(TurnContext.IsCurrent)), and a wrapper state machine would only add a step to every task.
    public Task SetAsync(ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        Client.SetAsync(id, content, cancellationToken);

    public Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, CancellationToken cancellationToken) => Client.GetAsync(id, cancellationToken);

    public Task<bool> DeleteAsync(ObjectId id, CancellationToken cancellationToken) => Client.DeleteAsync(id, cancellationToken);

    public ValueTask DisposeAsync() => _client?.DisposeAsync() ?? ValueTask.CompletedTask;
}
