using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

public sealed class BinderConnectorTests
{
    [Fact]
    public async Task Connect_ExchangesIdentitiesBothWays()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("Binder-1"), NullLogger.Instance, cts.Token);
        Assert.NotEqual(0, binder.LocalAddress.Port);

        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("Client|0a0b"), NullLogger.Instance, cts.Token);

        Assert.Equal(PeerIdentity.FromString("Binder-1"), connector.RemoteIdentity);
        Assert.Equal(YmqConnectorState.Connected, connector.State);
        var connected = await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);
        Assert.Equal("Client|0a0b", connected.Peer.ToString());
        Assert.Contains(connected.Peer, binder.ConnectedPeers);
    }

    [Fact]
    public async Task Frames_ManySmall_ArriveInOrderBothWays()
    {
        const int count = 20_000;
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;

        var sending = Task.Run(
            async () =>
            {
                for (var i = 0; i < count; i++)
                {
                    await connector.SendAsync(Numbered(i), cts.Token);
                }
            },
            cts.Token);
        for (var i = 0; i < count; i++)
        {
            var frame = await binder.Events.NextAsync<YmqFrameReceived>(cts.Token);
            Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(frame.Payload.Span));
            Assert.True(await binder.SendAsync(peer, frame.Payload, cts.Token));
        }

        await sending;
        for (var i = 0; i < count; i++)
        {
            var echoed = await connector.ReceiveAsync(cts.Token);
            Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(echoed.Span));
        }
    }

    [Fact]
    public async Task Frames_EmptyFrame_IsDelivered()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);

        await connector.SendAsync(ReadOnlyMemory<byte>.Empty, cts.Token);
        await connector.SendAsync(new byte[] { 7 }, cts.Token);

        Assert.Equal(0, (await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.Length);
        Assert.Equal(new byte[] { 7 }, (await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.ToArray());
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(16 << 20)]
    public async Task Frames_Large_RoundTripIntact(int size)
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;
        var payload = new byte[size];
        new Random(size).NextBytes(payload);

        await connector.SendAsync(payload, cts.Token);
        await connector.SendAsync(new byte[] { 1, 2, 3 }, cts.Token);
        var received = await binder.Events.NextAsync<YmqFrameReceived>(cts.Token);
        Assert.True(received.Payload.Span.SequenceEqual(payload));
        Assert.Equal(new byte[] { 1, 2, 3 }, (await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.ToArray());

        Assert.True(await binder.SendAsync(peer, received.Payload, cts.Token));
        var echoed = await connector.ReceiveAsync(cts.Token);
        Assert.True(echoed.Span.SequenceEqual(payload));
    }

    [Fact]
    public async Task ManyConnectors_AreRoutedByIdentity()
    {
        const int clients = 20;
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        var connectors = await Task.WhenAll(Enumerable.Range(0, clients).Select(
            i => YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options($"Client|{i}"), NullLogger.Instance, cts.Token)));
        try
        {
            foreach (var connector in connectors)
            {
                await connector.SendAsync(Encoding.UTF8.GetBytes($"from {connector.Identity}"), cts.Token);
            }

            var seen = 0;
            while (seen < clients)
            {
                var next = await binder.Events.ReadAsync(cts.Token);
                if (next is YmqFrameReceived frame)
                {
                    Assert.Equal($"from {frame.Peer}", Encoding.UTF8.GetString(frame.Payload.Span));
                    Assert.True(await binder.SendAsync(frame.Peer, Encoding.UTF8.GetBytes($"to {frame.Peer}"), cts.Token));
                    seen++;
                }
            }

            foreach (var connector in connectors)
            {
                var reply = await connector.ReceiveAsync(cts.Token);
                Assert.Equal($"to {connector.Identity}", Encoding.UTF8.GetString(reply.Span));
            }
        }
        finally
        {
            foreach (var connector in connectors)
            {
                await connector.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ConnectorDisposed_BinderReportsDisconnect_AndSendReturnsFalse()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;
        await connector.SendAsync(new byte[] { 9 }, cts.Token);
        await binder.Events.NextAsync<YmqFrameReceived>(cts.Token);

        await connector.DisposeAsync();

        var gone = await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        Assert.Equal(peer, gone.Peer);
        Assert.Equal(YmqDisconnectReason.ClosedByPeer, gone.Reason);
        Assert.False(await binder.SendAsync(peer, new byte[] { 1 }, cts.Token));
        Assert.False(await binder.SendAsync(PeerIdentity.FromString("nobody"), new byte[] { 1 }, cts.Token));
    }

    [Fact]
    public async Task DisconnectPeer_ClosesTheConnector_WhichDoesNotReconnectByDefault()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;
        Assert.True(await binder.SendAsync(peer, new byte[] { 5 }, cts.Token));
        Assert.Equal(new byte[] { 5 }, (await connector.ReceiveAsync(cts.Token)).ToArray());

        binder.DisconnectPeer(peer);

        var gone = await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        Assert.Equal(YmqDisconnectReason.ClosedLocally, gone.Reason);
        var closed = await Assert.ThrowsAsync<YmqPeerClosedException>(async () => await connector.ReceiveAsync(cts.Token));
        Assert.Equal(YmqDisconnectReason.ClosedByPeer, closed.Reason);
        Assert.Equal(YmqConnectorState.Closed, connector.State);
        await Assert.ThrowsAsync<YmqPeerClosedException>(async () => await connector.SendAsync(new byte[] { 1 }, cts.Token));
    }

    [Fact]
    public async Task SameIdentityReconnects_ReplacesTheOldConnection()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        await using var first = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("Worker|1"), NullLogger.Instance, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;

        await using var second = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("Worker|1"), NullLogger.Instance, cts.Token);

        var replaced = await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        Assert.Equal(YmqDisconnectReason.Replaced, replaced.Reason);
        Assert.Equal(peer, (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer);
        Assert.True(await binder.SendAsync(peer, new byte[] { 2 }, cts.Token));
        Assert.Equal(new byte[] { 2 }, (await second.ReceiveAsync(cts.Token)).ToArray());
        await Assert.ThrowsAsync<YmqPeerClosedException>(async () => await first.ReceiveAsync(cts.Token));
        Assert.Single(binder.ConnectedPeers);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_FailsWithAttemptsAndReason()
    {
        using var cts = Net.Timeout();
        var address = Net.Loopback.WithPort(Net.UnusedPort());

        var error = await Assert.ThrowsAsync<YmqConnectException>(() =>
            YmqConnector.ConnectAsync(address, Net.Options("C", o => o.ConnectMaxRetries = 0), NullLogger.Instance, cts.Token));

        Assert.Equal($"could not connect to {address} after 1 attempt: connection refused", error.Message);
        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task TinyQueues_SlowConsumer_BackPressureLosesNothing()
    {
        const int count = 3000;
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(
            Net.Loopback, Net.Options("B", o => o.ReceiveQueueMaxBytes = 2048), NullLogger.Instance, cts.Token);
        await using var connector = await YmqConnector.ConnectAsync(
            binder.LocalAddress, Net.Options("C", o => o.SendQueueMaxBytes = 4096), NullLogger.Instance, cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);

        // 3000 x 4 KiB = 12 MB through queues of a few KiB: senders and the receive loop must wait, not drop.
        var sending = Task.Run(
            async () =>
            {
                for (var i = 0; i < count; i++)
                {
                    var frame = new byte[4096];
                    BinaryPrimitives.WriteInt32LittleEndian(frame, i);
                    await connector.SendAsync(frame, cts.Token);
                }
            },
            cts.Token);
        for (var i = 0; i < count; i++)
        {
            if (i % 500 == 0)
            {
                await Task.Delay(20, cts.Token); // a consumer that falls behind now and then
            }

            // The receive budget (2 KiB) admits one 4 KiB frame at a time, only when nothing is queued.
            Assert.True(binder.Events.Count <= 1, $"{binder.Events.Count} frames queued");

            var frame = await binder.Events.NextAsync<YmqFrameReceived>(cts.Token);
            Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(frame.Payload.Span));
        }

        await sending;
    }

    [Fact]
    public async Task ConnectorDisposed_ReceiveAndSendThrowObjectDisposed()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);

        await connector.DisposeAsync();

        Assert.Equal(YmqConnectorState.Closed, connector.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await connector.ReceiveAsync(cts.Token));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await connector.SendAsync(new byte[1], cts.Token));
    }

    private static byte[] Numbered(int i)
    {
        var frame = new byte[100];
        BinaryPrimitives.WriteInt32LittleEndian(frame, i);
        return frame;
    }
}
