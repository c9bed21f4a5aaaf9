using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

/// <summary>Peers that send bad bytes are dropped and logged while a well-behaved peer keeps working.</summary>
public sealed class HostilePeerTests
{
    public static TheoryData<string, byte[]> HostileOpenings() => new()
    {
        { "wrong magic", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray() },
        { "garbage", Garbage() },
        { "oversized identity", [.. "YMQ\u0001"u8, .. Header(1L << 40)] },
        { "identity over MaxIdentityBytes", [.. "YMQ\u0001"u8, .. Header(5000), .. new byte[5000]] },
        { "half a header then close", [.. "YMQ\u0001"u8, 3, 0, 0] },
        { "magic only then close", [.. "YMQ\u0001"u8] },
    };

    [Theory]
    [MemberData(nameof(HostileOpenings))]
    public async Task HostileOpening_IsDropped_AndAGoodPeerKeepsWorking(string what, byte[] opening)
    {
        using var cts = Net.Timeout();
        var log = new ListLogger();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), log, cts.Token);
        await using var good = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("good"), NullLogger.Instance, cts.Token);
        var goodPeer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;

        using (var hostile = await Net.RawConnectAsync(binder.LocalAddress, cts.Token))
        {
            await hostile.SendAsync(opening, SocketFlags.None, cts.Token);
            hostile.Shutdown(SocketShutdown.Send);
            await Net.DrainUntilClosedAsync(hostile, cts.Token);
        }

        await good.SendAsync(new byte[] { 42 }, cts.Token);
        var frame = await binder.Events.NextAsync<YmqFrameReceived>(cts.Token);
        Assert.Equal(goodPeer, frame.Peer);
        Assert.True(await binder.SendAsync(goodPeer, new byte[] { 43 }, cts.Token));
        Assert.Equal(new byte[] { 43 }, (await good.ReceiveAsync(cts.Token)).ToArray());
        Assert.Equal([goodPeer], binder.ConnectedPeers);
        Assert.True(log.Messages.Any(m => m.Contains("handshake with", StringComparison.Ordinal) && m.Contains("failed", StringComparison.Ordinal)), string.Join("\n", log.Messages));
        _ = what;
    }

    [Fact]
    public async Task OversizedFrameAfterHandshake_DropsOnlyThatPeer_WithProtocolError()
    {
        using var cts = Net.Timeout();
        var log = new ListLogger();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B", o => o.MaxFrameBytes = 1000), log, cts.Token);
        await using var good = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("good"), NullLogger.Instance, cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);

        using var hostile = await Net.RawConnectAsync(binder.LocalAddress, cts.Token);
        await hostile.SendAsync(Sequences.Stream("evil"u8.ToArray(), new byte[10]), SocketFlags.None, cts.Token);
        Assert.Equal("evil", (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer.ToString());
        Assert.Equal(10, (await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.Length);

        // Only the header of a 1001-byte frame: the binder must not wait for the body before dropping the peer.
        await hostile.SendAsync(Header(1001), SocketFlags.None, cts.Token);

        var dropped = await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        Assert.Equal("evil", dropped.Peer.ToString());
        Assert.Equal(YmqDisconnectReason.ProtocolError, dropped.Reason);
        Assert.Contains("limit of 1000 bytes (YmqOptions.MaxFrameBytes)", dropped.Error!.Message, StringComparison.Ordinal);
        await Net.DrainUntilClosedAsync(hostile, cts.Token);
        Assert.Contains(log.Messages, m => m.Contains("'evil'", StringComparison.Ordinal) && m.Contains("dropped", StringComparison.Ordinal));

        await good.SendAsync(new byte[] { 1 }, cts.Token);
        Assert.Equal("good", (await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Peer.ToString());
    }

    [Fact]
    public async Task PeerClosesInTheMiddleOfAFrame_IsReportedAsLost()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        using (var peer = await Net.RawConnectAsync(binder.LocalAddress, cts.Token))
        {
            byte[] truncated = [.. Sequences.Stream("half"u8.ToArray()), .. Header(100), 1, 2, 3];
            await peer.SendAsync(truncated, SocketFlags.None, cts.Token);
            Assert.Equal("half", (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer.ToString());

            // Read the binder's greeting first so closing sends an orderly FIN rather than a reset.
            await Net.ReceiveExactlyAsync(peer, 4 + 8 + 1, cts.Token);
            peer.Shutdown(SocketShutdown.Send);
            await Net.DrainUntilClosedAsync(peer, cts.Token);
        }

        var gone = await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        Assert.Equal(YmqDisconnectReason.ConnectionLost, gone.Reason);
        Assert.IsType<YmqProtocolException>(gone.Error);
    }

    [Fact]
    public async Task SilentPeer_IsDroppedWhenTheHandshakeTimeoutPasses()
    {
        using var cts = Net.Timeout();
        var clock = new FakeTimeProvider();
        var log = new ListLogger();
        await using var binder = await YmqBinder.BindAsync(
            Net.Loopback, Net.Options("B", o => { o.TimeProvider = clock; o.HandshakeTimeout = TimeSpan.FromSeconds(5); }), log, cts.Token);
        using var silent = await Net.RawConnectAsync(binder.LocalAddress, cts.Token);

        // The binder greets first (magic + identity) without waiting for the peer.
        Assert.Equal("YMQ\u0001"u8.ToArray(), await Net.ReceiveExactlyAsync(silent, 4, cts.Token));
        Assert.Equal(1, BinaryPrimitives.ReadInt64LittleEndian(await Net.ReceiveExactlyAsync(silent, 8, cts.Token)));
        Assert.Equal("B"u8.ToArray(), await Net.ReceiveExactlyAsync(silent, 1, cts.Token));

        var closed = Net.DrainUntilClosedAsync(silent, cts.Token);
        while (!closed.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(closed, Task.Delay(10, cts.Token));
        }

        Assert.Equal(0, await closed);
        Assert.True(clock.GetUtcNow() - clock.Start >= TimeSpan.FromSeconds(5));
        Assert.Contains(log.Messages, m => m.Contains("HandshakeTimeout", StringComparison.Ordinal));
    }

    private static byte[] Header(long length)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, length);
        return header;
    }

    private static byte[] Garbage()
    {
        var bytes = new byte[3000];
        new Random(1234).NextBytes(bytes);
        bytes[0] = 0; // certainly not 'Y'
        return bytes;
    }
}
