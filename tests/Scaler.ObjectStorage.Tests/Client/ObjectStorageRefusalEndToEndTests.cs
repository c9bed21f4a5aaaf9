using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;
using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Client;

/// <summary>Limits over YMQ on 127.0.0.1: what our client is told, and what the server does with peers past them.</summary>
public sealed class ObjectStorageRefusalEndToEndTests
{
    private static readonly ObjectOwner Owner = ObjectOwner.FromClientIdentity("Client|limits"u8);

    [Fact]
    public async Task SetLargerThanTheServersLimit_FailsAsARefusalNamingTheLimit_AndTheClientGoesOn()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token, maxObjectBytes: 1000);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|big", timeout.Token);
        ObjectId big = ObjectId.NewUnique(Owner);

        ObjectStorageException refused = await Assert.ThrowsAsync<ObjectStorageException>(
            () => client.SetAsync(big, new byte[1001], timeout.Token));

        Assert.True(refused.IsRefusal);
        Assert.Contains("1001 bytes", refused.Message, StringComparison.Ordinal);
        Assert.Contains("limit of 1000 bytes (max_object_bytes)", refused.Message, StringComparison.Ordinal);
        ObjectId small = ObjectId.NewUnique(Owner);
        await client.SetAsync(small, new byte[1000], timeout.Token);
        Assert.Equal(1000, (await client.GetAsync(small, timeout.Token)).Length);
        Assert.Equal(new ObjectStorageTotals(1, 1, 1000), await client.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task SetIntoAFullStore_FailsWithTheReason_OthersAreServed_AndAGetOfTheRefusedObjectWaitsForALaterSet()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(
            timeout.Token, configure: o => o.MaxTotalBytes = StoreLimits.BookkeepingBytesPerObjectId + 1000);
        ObjectStorageClient writer = await fixture.ConnectAsync("Client|writer", timeout.Token);
        ObjectStorageClient reader = await fixture.ConnectAsync("Client|reader", timeout.Token);
        ObjectId first = ObjectId.NewUnique(Owner);
        ObjectId second = ObjectId.NewUnique(Owner);
        await writer.SetAsync(first, new byte[1000], timeout.Token);
        Task<ReadOnlyMemory<byte>> waiting = reader.GetAsync(second, timeout.Token);

        ObjectStorageException refused = await Assert.ThrowsAsync<ObjectStorageException>(
            () => writer.SetAsync(second, new byte[] { 1, 2, 3 }, timeout.Token));

        Assert.True(refused.IsRefusal);
        Assert.Contains("full", refused.Message, StringComparison.Ordinal);
        Assert.Contains("(max_total_bytes)", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1000, (await reader.GetAsync(first, timeout.Token)).Length);
        Assert.False(waiting.IsCompleted);

        Assert.True(await writer.DeleteAsync(first, timeout.Token));
        await writer.SetAsync(second, new byte[] { 1, 2, 3 }, timeout.Token);
        Assert.Equal(new byte[] { 1, 2, 3 }, (await waiting).ToArray());
    }

    [Fact]
    public async Task GetPastTheWaitingLimit_FailsWithTheReason()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(
            timeout.Token, configure: o => o.MaxWaitingRequestsPerPeer = 2);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|waits", timeout.Token);
        _ = client.GetAsync(ObjectId.NewUnique(Owner), timeout.Token);
        _ = client.GetAsync(ObjectId.NewUnique(Owner), timeout.Token);

        ObjectStorageException refused = await Assert.ThrowsAsync<ObjectStorageException>(
            () => client.GetAsync(ObjectId.NewUnique(Owner), timeout.Token));

        Assert.True(refused.IsRefusal);
        Assert.Contains("MaxWaitingRequestsPerPeer 2", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, fixture.Server.WaitingRequests);
    }

    [Fact]
    public async Task ReferencePeerRefused_IsClosed_WhileOurClientsAreServed()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(
            timeout.Token, configure: o => o.MaxTotalBytes = StoreLimits.BookkeepingBytesPerObjectId + 10);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|ours", timeout.Token);
        await client.SetAsync(ObjectId.NewUnique(Owner), new byte[10], timeout.Token);
        RawYmqPeer reference = await fixture.ConnectRawAsync("Client|reference"u8.ToArray(), timeout.Token);

        // A reference client's set: no acceptsRefusal, and it does not wait for setOK.
        await reference.SendFrameAsync(
            ObjectStorageWire.EncodeRequest(new ObjectRequest(ObjectId.NewUnique(Owner), 5, 0, ObjectRequestType.SetObject)),
            timeout.Token);
        await reference.SendFrameAsync(new byte[5], timeout.Token);

        Assert.Null(await reference.ReceiveFrameAsync(timeout.Token));
        Assert.Equal(new ObjectStorageTotals(1, 1, 10), await client.GetInfoAsync(timeout.Token));
    }

    [Fact]
    public async Task PeerThatDoesNotReadItsAnswers_IsDropped_WhileOthersAreServed()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        var logs = new ListLoggerFactory();
        await using ServerFixture fixture = await ServerFixture.StartAsync(
            timeout.Token, configure: o => o.MaxQueuedAnswersPerPeer = 8, loggerFactory: logs);
        ObjectStorageClient client = await fixture.ConnectAsync("Client|reads", timeout.Token);
        ObjectId large = ObjectId.NewUnique(Owner);
        await client.SetAsync(large, new byte[4 << 20], timeout.Token);
        RawYmqPeer silent = await fixture.ConnectRawAsync("Client|silent"u8.ToArray(), timeout.Token);

        // 4 MiB answers: the transport's 64 MiB send queue and the socket buffers fill, then the outbox.
        byte[] get = ObjectStorageWire.EncodeRequest(new ObjectRequest(large, ulong.MaxValue, 1, ObjectRequestType.GetObject));
        for (int i = 0; i < 64; i++)
        {
            await silent.SendFrameAsync(get, timeout.Token);
        }

        while (!logs.Logger.Lines.Any(l => l.Message.Contains("Closing peer Client|silent: it does not read its answers", StringComparison.Ordinal)))
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.Equal(4 << 20, (await client.GetAsync(large, timeout.Token)).Length);
    }
}
