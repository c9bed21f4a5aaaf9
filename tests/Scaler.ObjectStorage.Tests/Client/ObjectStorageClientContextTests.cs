using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;
using Scaler.ObjectStorage.Tests.Support;

namespace Scaler.ObjectStorage.Tests.Client;

/// <summary>
/// A request resumes its caller in the transport's turn only when the caller is under the turn context; a caller under
/// any other context (a user's) is resumed on the pool, and that context is never posted to.
/// </summary>
public sealed class ObjectStorageClientContextTests
{
    private static readonly ObjectOwner Owner = ObjectOwner.FromClientIdentity("Client|context"u8);

    [Fact]
    public async Task ACallerUnderAnotherContext_IsNeverPostedTo()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|user", timeout.Token);
        ObjectId id = ObjectId.NewUnique(Owner);
        await client.SetAsync(id, new byte[] { 7 }, timeout.Token);

        var userContext = new CountingContext();
        var previous = SynchronizationContext.Current;
        Task<ReadOnlyMemory<byte>> get;
        SynchronizationContext.SetSynchronizationContext(userContext);
        try
        {
            get = client.GetAsync(id, timeout.Token);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        Assert.Equal(1, (await get).Length);
        Assert.Equal(0, userContext.Posts);
    }

    /// <summary>A context that only counts what is posted to it and runs it on the pool.</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }
    }
}
