using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

public sealed class PeerOutboxTests
{
    [Fact]
    public async Task FramesAndPairs_ReachThePeer_InTheOrderTheyWereQueued()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        await using var connector = YmqConnector.Connect(binder.LocalAddress, Net.Options("reader"), NullLogger.Instance);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;
        var outbox = new PeerOutbox(binder, peer, 16, NullLogger.Instance, cts.Token);

        Assert.True(outbox.TryEnqueue(new byte[] { 1 }));
        Assert.True(outbox.TryEnqueue(new byte[] { 2 }, new byte[] { 3 }));
        Assert.True(outbox.TryEnqueue(new byte[] { 4 }, ReadOnlyMemory<byte>.Empty));
        outbox.Complete();
        await outbox.Drained.WaitAsync(cts.Token);

        var received = new List<byte>();
        for (var i = 0; i < 4; i++)
        {
            received.Add((await connector.ReceiveAsync(cts.Token)).Span[0]);
        }

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, received);
        Assert.Equal(0, outbox.Queued);
    }

    [Fact]
    public async Task APeerThatDoesNotRead_FillsItsOutbox_ThenEveryFrameIsRefused_AndAbandonEndsTheDrain()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B", o => o.SendQueueMaxBytes = 1024), NullLogger.Instance, cts.Token);

        // Greets, then never reads: the socket buffers fill, then the binder's send queue, then the outbox.
        using var socket = await Net.RawConnectAsync(binder.LocalAddress, cts.Token);
        await socket.SendAsync(Sequences.Stream("stuck"u8.ToArray()), SocketFlags.None, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;
        var outbox = new PeerOutbox(binder, peer, 4, NullLogger.Instance, cts.Token);

        var frame = new byte[1 << 20];
        var accepted = 0;
        while (outbox.TryEnqueue(frame))
        {
            accepted++;
            Assert.True(accepted < 1000, "the outbox never refused a frame");
            await Task.Delay(5, cts.Token); // let the drain hand over what the transport still takes
        }

        Assert.Equal(4, outbox.Queued);
        Assert.False(outbox.TryEnqueue(new byte[] { 1 }));

        outbox.Abandon();
        binder.DisconnectPeer(peer);
        await outbox.Drained.WaitAsync(cts.Token);
        Assert.Equal(0, outbox.Queued);
    }
}
