using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Client;

/// <summary>Our client against our server over YMQ on 127.0.0.1.</summary>
public sealed class ObjectStorageEndToEndTests
{
    private static readonly ObjectOwner Owner = ObjectOwner.FromClientIdentity("Client|test"u8);

    [Fact]
    public async Task SetGetDeleteDuplicateInfo_RoundTrip()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|a", timeout.Token);
        ObjectId a = ObjectId.NewUnique(Owner);
        ObjectId b = ObjectId.NewUnique(Owner);

        await client.SetAsync(a, new byte[] { 1, 2, 3, 4, 5 }, timeout.Token);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, (await client.GetAsync(a, timeout.Token)).ToArray());
        Assert.Equal(new byte[] { 1, 2 }, (await client.GetAsync(a, 2, timeout.Token)).ToArray());

        await client.DuplicateAsync(b, a, timeout.Token);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, (await client.GetAsync(b, timeout.Token)).ToArray());
        Assert.Equal(new ObjectStorageTotals(2, 1, 5), await client.GetInfoAsync(timeout.Token));

        Assert.True(await client.DeleteAsync(a, timeout.Token));
        Assert.False(await client.DeleteAsync(a, timeout.Token));
        Assert.Equal(new ObjectStorageTotals(1, 1, 5), await client.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task Get_BeforeSet_WaitsUntilAnotherClientSets()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient reader = await fixture.ConnectAsync("Client|reader", timeout.Token);
        ObjectStorageClient writer = await fixture.ConnectAsync("Client|writer", timeout.Token);
        ObjectId id = ObjectId.NewUnique(Owner);

        Task<ReadOnlyMemory<byte>> get = reader.GetAsync(id, timeout.Token);
        // The server handles a peer's frames in order: once a later request of the reader is answered, the get has
        // been seen and is waiting.
        await reader.GetInfoAsync(timeout.Token);
        Assert.False(get.IsCompleted);

        await writer.SetAsync(id, new byte[] { 42 }, timeout.Token);

        Assert.Equal(new byte[] { 42 }, (await get).ToArray());
    }

    [Fact]
    public async Task Get_Cancelled_ThrowsWithTheCallersTokenAndTheLateAnswerIsIgnored()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|cancel", timeout.Token);
        ObjectId id = ObjectId.NewUnique(Owner);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        Task<ReadOnlyMemory<byte>> get = client.GetAsync(id, cancel.Token);
        await client.GetInfoAsync(timeout.Token);
        Assert.False(get.IsCompleted);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get);
        Assert.Equal(cancel.Token, error.CancellationToken);

        // The server still answers the cancelled get once the object exists; the client ignores that answer and the
        // next requests are matched as before.
        await client.SetAsync(id, new byte[] { 7 }, timeout.Token);
        Assert.Equal(new byte[] { 7 }, (await client.GetAsync(id, timeout.Token)).ToArray());
    }

    [Fact]
    public async Task Duplicate_OfMissingSource_CompletesWhenSourceIsSet()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|a", timeout.Token);
        ObjectId source = ObjectId.NewUnique(Owner);
        ObjectId copy = ObjectId.NewUnique(Owner);

        Task duplicate = client.DuplicateAsync(copy, source, timeout.Token);
        Task<ReadOnlyMemory<byte>> getCopy = client.GetAsync(copy, timeout.Token);
        await client.GetInfoAsync(timeout.Token);
        Assert.False(duplicate.IsCompleted);

        await client.SetAsync(source, new byte[] { 7, 7 }, timeout.Token);

        await duplicate;
        Assert.Equal(new byte[] { 7, 7 }, (await getCopy).ToArray());
    }

    /// <summary>docs/object-storage.md's client snippet, statement for statement (it once deleted the source first and hung).</summary>
    [Fact]
    public async Task DocumentedSnippet_RunsAsWritten()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        CancellationToken ct = timeout.Token;
        await using ServerFixture fixture = await ServerFixture.StartAsync(ct);
        await using var client = await ObjectStorageClient.ConnectAsync(
            fixture.Server.LocalAddress, "Client|1234", Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, ct);
        byte[] bytes = [1, 2, 3];

        ObjectId id = ObjectId.NewUnique(ObjectOwner.FromClientIdentity("Client|1234"u8));
        await client.SetAsync(id, bytes, ct);
        ReadOnlyMemory<byte> content = await client.GetAsync(id, ct);
        ObjectId copy = ObjectId.NewUnique(ObjectOwner.FromClientIdentity("Client|1234"u8));
        await client.DuplicateAsync(copy, id, ct);
        bool existed = await client.DeleteAsync(id, ct);
        ReadOnlyMemory<byte> kept = await client.GetAsync(copy, ct);
        ObjectStorageTotals totals = await client.GetInfoAsync(ct);

        Assert.Equal(bytes, content.ToArray());
        Assert.True(existed);
        Assert.Equal(bytes, kept.ToArray());
        Assert.Equal(new ObjectStorageTotals(1, 1, 3), totals);

        // The page still shows these calls in this order (a delete before the duplicate is what used to hang).
        string page = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "object-storage.md"), ct);
        int duplicateAt = page.IndexOf("await client.DuplicateAsync(copy, id, ct);", StringComparison.Ordinal);
        int deleteAt = page.IndexOf("bool existed = await client.DeleteAsync(id, ct);", StringComparison.Ordinal);
        Assert.True(duplicateAt >= 0 && deleteAt > duplicateAt, "docs/object-storage.md no longer duplicates before it deletes");
        Assert.Contains("ReadOnlyMemory<byte> kept = await client.GetAsync(copy, ct);", page, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "docs", "object-storage.md")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no docs/object-storage.md above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// The old snippet's hang, pinned as the protocol's behaviour (the reference server's too): a duplicate whose source
    /// was deleted waits for the source to be set again, and only the caller's token ends the wait; the connection
    /// stays usable.
    /// </summary>
    [Fact]
    public async Task Duplicate_OfADeletedSource_WaitsUntilTheCallerCancels()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|deleted", timeout.Token);
        ObjectId source = ObjectId.NewUnique(Owner);
        ObjectId copy = ObjectId.NewUnique(Owner);
        await client.SetAsync(source, new byte[] { 9 }, timeout.Token);
        Assert.True(await client.DeleteAsync(source, timeout.Token));
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);

        Task duplicate = client.DuplicateAsync(copy, source, giveUp.Token);
        await client.GetInfoAsync(timeout.Token);
        Assert.False(duplicate.IsCompleted);
        await giveUp.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => duplicate);
        Assert.Equal(giveUp.Token, error.CancellationToken);
        Assert.Equal(new ObjectStorageTotals(0, 0, 0), await client.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task LargeObject_16MiB_RoundTripsAndIsCountedOnce()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient writer = await fixture.ConnectAsync("Client|w", timeout.Token);
        ObjectStorageClient reader = await fixture.ConnectAsync("Client|r", timeout.Token);
        byte[] content = new byte[16 << 20];
        new Random(7).NextBytes(content);
        ObjectId first = ObjectId.NewUnique(Owner);
        ObjectId second = ObjectId.NewUnique(Owner);

        await writer.SetAsync(first, content, timeout.Token);
        await writer.SetAsync(second, content, timeout.Token);
        ReadOnlyMemory<byte> got = await reader.GetAsync(second, timeout.Token);

        Assert.True(got.Span.SequenceEqual(content));
        Assert.Equal(new ObjectStorageTotals(2, 1, (ulong)content.Length), await reader.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task ManyRequestsInFlight_AreMatchedToTheirAnswers()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|many", timeout.Token);
        ObjectId[] ids = Enumerable.Range(0, 200).Select(_ => ObjectId.NewUnique(Owner)).ToArray();

        // Gets first (they wait), then the sets, all without awaiting in between.
        Task<ReadOnlyMemory<byte>>[] gets = ids.Select(id => client.GetAsync(id, timeout.Token)).ToArray();
        Task[] sets = ids.Select((id, i) => client.SetAsync(id, BitConverter.GetBytes(i), timeout.Token)).ToArray();
        await Task.WhenAll(sets);
        ReadOnlyMemory<byte>[] results = await Task.WhenAll(gets);

        for (int i = 0; i < ids.Length; i++)
        {
            Assert.Equal(i, BitConverter.ToInt32(results[i].Span));
        }
    }

    [Fact]
    public async Task ServerStops_WaitingRequestFailsWithObjectStorageException()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        await using (fixture)
        {
            ObjectStorageClient client = await fixture.ConnectAsync("Client|a", timeout.Token);
            Task<ReadOnlyMemory<byte>> get = client.GetAsync(ObjectId.NewUnique(Owner), timeout.Token);
            await client.GetInfoAsync(timeout.Token);

            await fixture.Server.DisposeAsync();

            await Assert.ThrowsAsync<ObjectStorageException>(() => get);
            await Assert.ThrowsAsync<ObjectStorageException>(() => client.GetInfoAsync(timeout.Token));
        }
    }

    [Fact]
    public async Task ConnectionLost_FailsWaitingRequestAndLaterRequestsUseTheNewConnection()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        await using var proxy = new BreakableProxy(fixture.Address);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|via-proxy", timeout.Token, proxy.Address);
        ObjectStorageClient writer = await fixture.ConnectAsync("Client|writer", timeout.Token);
        ObjectId waited = ObjectId.NewUnique(Owner);
        Task<ReadOnlyMemory<byte>> get = client.GetAsync(waited, timeout.Token);
        await client.GetInfoAsync(timeout.Token);

        proxy.ResetAll();

        ObjectStorageException error = await Assert.ThrowsAsync<ObjectStorageException>(() => get);
        Assert.Contains("may or may not have been carried out", error.Message);
        await writer.SetAsync(waited, new byte[] { 3 }, timeout.Token);
        Assert.Equal(new byte[] { 3 }, (await client.GetAsync(waited, timeout.Token)).ToArray());
        Assert.Equal(2, proxy.Accepted);
    }

    [Fact]
    public async Task SetOverMaxObjectBytes_ClosesThatClientOnly()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token, maxObjectBytes: 1024);
        ObjectStorageClient big = await fixture.ConnectAsync("Client|big", timeout.Token);
        ObjectStorageClient other = await fixture.ConnectAsync("Client|other", timeout.Token);

        await Assert.ThrowsAsync<ObjectStorageException>(() => big.SetAsync(ObjectId.NewUnique(Owner), new byte[1025], timeout.Token));

        await other.SetAsync(ObjectId.NewUnique(Owner), new byte[1024], timeout.Token);
        Assert.Equal(new ObjectStorageTotals(1, 1, 1024), await other.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task PeerThatDoesNotRead_DoesNotStallOtherPeers()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|busy", timeout.Token);
        RawYmqPeer stuck = await fixture.ConnectRawAsync("Client|stuck"u8.ToArray(), timeout.Token);
        ObjectId big = ObjectId.NewUnique(Owner);
        await client.SetAsync(big, new byte[4 << 20], timeout.Token);

        // 40 gets of 4 MiB (160 MiB of answers, more than the socket buffers and the transport's 64 MiB send queue),
        // never read.
        for (ulong i = 0; i < 40; i++)
        {
            await stuck.SendFrameAsync(
                ObjectStorageWire.EncodeRequest(new ObjectRequest(big, ulong.MaxValue, i, ObjectRequestType.GetObject)),
                timeout.Token);
        }

        ObjectId small = ObjectId.NewUnique(Owner);
        await client.SetAsync(small, new byte[] { 1 }, timeout.Token);
        Assert.Equal(new byte[] { 1 }, (await client.GetAsync(small, timeout.Token)).ToArray());
        Assert.Equal(new ObjectStorageTotals(2, 2, (4 << 20) + 1), await client.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task MalformedHeaderFromRawPeer_ClosesThatPeerOnly()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|good", timeout.Token);
        RawYmqPeer raw = await fixture.ConnectRawAsync("Client|bad"u8.ToArray(), timeout.Token);

        await raw.SendFrameAsync([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5], timeout.Token);

        Assert.Null(await raw.ReceiveFrameAsync(timeout.Token));
        Assert.Equal(new ObjectStorageTotals(0, 0, 0), await client.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task RawPeer_SetWithItsPayload_GetsReferenceShapedAnswer()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        RawYmqPeer raw = await fixture.ConnectRawAsync("Client|raw"u8.ToArray(), timeout.Token);
        var id = new ObjectId(1, 2, 3, 4);

        Assert.Equal("ObjectStorageServer"u8.ToArray(), raw.RemoteIdentity);
        await raw.SendFrameAsync(ObjectStorageWire.EncodeRequest(new ObjectRequest(id, 3, 9, ObjectRequestType.SetObject)), timeout.Token);
        await raw.SendFrameAsync([5, 6, 7], timeout.Token);
        await raw.SendFrameAsync(ObjectStorageWire.EncodeRequest(new ObjectRequest(id, ulong.MaxValue, 10, ObjectRequestType.GetObject)), timeout.Token);

        Assert.Equal(new ObjectResponse(id, 0, 9, ObjectResponseType.SetOK), ObjectStorageWire.DecodeResponse(await raw.ReceiveFrameAsync(timeout.Token)));
        Assert.Equal(new ObjectResponse(id, 3, 10, ObjectResponseType.GetOK), ObjectStorageWire.DecodeResponse(await raw.ReceiveFrameAsync(timeout.Token)));
        Assert.Equal(new byte[] { 5, 6, 7 }, await raw.ReceiveFrameAsync(timeout.Token));
    }
}
