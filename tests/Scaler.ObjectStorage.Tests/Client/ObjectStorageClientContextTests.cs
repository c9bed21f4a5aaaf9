using System.Diagnostics;
using Scaler.IO.Threading;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
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

    [Fact]
    public async Task ACallerUnderTheTurnContext_ResumesInTheTurnThatReadTheAnswer()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|turn", timeout.Token);
        ObjectId id = ObjectId.NewUnique(Owner);
        await client.SetAsync(id, new byte[] { 7 }, timeout.Token);

        // As the transport's own loops do: under the context, in a turn of its own on the pool.
        await TurnContext.SwitchTo();
        var content = await client.GetAsync(id, timeout.Token);
        var inTurn = TurnContext.InTurn;
        var underContext = TurnContext.IsCurrent;
        var resumedBy = new StackTrace().ToString();

        Assert.Equal(1, content.Length);
        Assert.True(inTurn);
        Assert.True(underContext);

        // Not handed to the pool on the way and resumed there in a turn of its own: that hop is what this avoids.
        Assert.DoesNotContain("RunInOwnTurn", resumedBy, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every request of the client, on a fresh connection (so the set also asks the server's size limit first): the
    /// caller under the turn context is resumed in the turn that read the answer. One <c>ConfigureAwait(false)</c>
    /// anywhere on a request's path would send it to the pool, outside the context, and fail this.
    /// </summary>
    [Theory]
    [InlineData("set")]
    [InlineData("get")]
    [InlineData("get with a limit")]
    [InlineData("duplicate")]
    [InlineData("delete")]
    [InlineData("info")]
    public async Task EveryRequest_ResumesACallerUnderTheTurnContext_InTheTurn(string request)
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient setup = await fixture.ConnectAsync("Client|setup", timeout.Token);
        ObjectId existing = ObjectId.NewUnique(Owner);
        await setup.SetAsync(existing, new byte[] { 7 }, timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync($"Client|{request}", timeout.Token);

        await TurnContext.SwitchTo();
        Func<Task> call = request switch
        {
            "set" => () => client.SetAsync(ObjectId.NewUnique(Owner), new byte[] { 1 }, timeout.Token),
            "get" => () => client.GetAsync(existing, timeout.Token),
            "get with a limit" => () => client.GetAsync(existing, 16, timeout.Token),
            "duplicate" => () => client.DuplicateAsync(ObjectId.NewUnique(Owner), existing, timeout.Token),
            "delete" => () => client.DeleteAsync(existing, timeout.Token),
            _ => () => client.GetInfoAsync(timeout.Token),
        };
        await call();
        var inTurn = TurnContext.InTurn;
        var underContext = TurnContext.IsCurrent;
        var resumedBy = new StackTrace().ToString();

        Assert.True(underContext, $"{request}: resumed outside the turn context");
        Assert.True(inTurn, $"{request}: resumed outside a turn");
        Assert.DoesNotContain("RunInOwnTurn", resumedBy, StringComparison.Ordinal);
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
