using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Addressing;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

/// <summary>
/// What a binder lets peers hold: bytes of unfinished frames (per address and in all), time on a frame in progress,
/// and connections; and a bind address that cannot be used fails with one message naming it.
/// </summary>
public sealed class BoundedPeerTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task UnfinishedFramesFromOneAddress_OverItsBudget_DropThePeerThatWouldPassIt_TheOtherFinishes()
    {
        using var cts = Net.Timeout();
        var log = new ListLogger();
        await using var binder = await YmqBinder.BindAsync(
            Net.Loopback,
            Net.Options("B", o => { o.MaxFrameBytes = 8 * MiB; o.MaxPartialFrameBytesPerPeer = 10 * MiB; }),
            log,
            cts.Token);

        using var first = await GreetAsync(binder.LocalAddress, "first", cts.Token);
        using var second = await GreetAsync(binder.LocalAddress, "second", cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);

        // The first peer is 7 MiB into an 8 MiB frame: that much is held (to the next MiB), not 8 MiB.
        var payload = new byte[8 * MiB];
        Random.Shared.NextBytes(payload);
        await first.SendAsync(Header(payload.Length), SocketFlags.None, cts.Token);
        await first.SendAsync(payload.AsMemory(0, 7 * MiB), SocketFlags.None, cts.Token);
        await WaitUntilAsync(() => binder.PartialFrameBytesHeld >= 7 * MiB, cts.Token);
        Assert.InRange(binder.PartialFrameBytesHeld, 7 * MiB, 8 * MiB);

        // The second peer's frame would take the address past 10 MiB: it is dropped, naming the option and the peer.
        await second.SendAsync(Header(payload.Length), SocketFlags.None, cts.Token);
        _ = second.SendAsync(payload.AsMemory(0, 4 * MiB), SocketFlags.None, cts.Token).AsTask();
        var dropped = await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        Assert.Equal("second", dropped.Peer.ToString());
        Assert.Equal(YmqDisconnectReason.ProtocolError, dropped.Reason);
        Assert.Contains("(YmqOptions.MaxPartialFrameBytesPerPeer)", dropped.Error!.Message, StringComparison.Ordinal);
        Assert.Contains(log.Messages, m => m.Contains("'second'", StringComparison.Ordinal) && m.Contains("MaxPartialFrameBytesPerPeer", StringComparison.Ordinal));

        // The first one finishes its frame, and nothing is held any more.
        await first.SendAsync(payload.AsMemory(7 * MiB), SocketFlags.None, cts.Token);
        var frame = await binder.Events.NextAsync<YmqFrameReceived>(cts.Token);
        Assert.Equal("first", frame.Peer.ToString());
        Assert.Equal(payload, frame.Payload.ToArray());
        Assert.Equal(0, binder.PartialFrameBytesHeld);
    }

    [Fact]
    public async Task PeerThatStopsInTheMiddleOfAFrame_IsDroppedAfterTheStallTimeout_AnIdlePeerIsNot()
    {
        using var cts = Net.Timeout();
        var clock = new FakeTimeProvider();
        var log = new ListLogger();
        await using var binder = await YmqBinder.BindAsync(
            Net.Loopback,
            Net.Options("B", o => { o.TimeProvider = clock; o.FrameStallTimeout = TimeSpan.FromSeconds(30); }),
            log,
            cts.Token);
        using var idle = await GreetAsync(binder.LocalAddress, "idle", cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);
        using var stalled = await GreetAsync(binder.LocalAddress, "stalled", cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);
        await stalled.SendAsync((byte[])[.. Header(1000), .. new byte[10]], SocketFlags.None, cts.Token);

        var gone = binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        var start = clock.GetUtcNow();
        while (!gone.IsCompleted && clock.GetUtcNow() - start < TimeSpan.FromMinutes(5))
        {
            clock.Advance(TimeSpan.FromSeconds(2.5));
            await Task.WhenAny(gone, Task.Delay(20, cts.Token));
        }

        var dropped = await gone;
        Assert.Equal("stalled", dropped.Peer.ToString());
        Assert.Equal(YmqDisconnectReason.ProtocolError, dropped.Reason);
        Assert.Contains("YmqOptions.FrameStallTimeout", dropped.Error!.Message, StringComparison.Ordinal);
        Assert.InRange(clock.GetUtcNow() - start, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(50));

        // Ten minutes more: a connection with no frame begun is not the transport's to time out.
        for (var i = 0; i < 60; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(["idle"], binder.ConnectedPeers.Select(p => p.ToString()));
        idle.Send(Frame([7]));
        Assert.Equal(new byte[] { 7 }, (await binder.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.ToArray());
    }

    [Fact]
    public async Task WithAnIdleTimeout_APeerThatSendsNothing_IsDropped_OneThatKeepsSending_IsNot()
    {
        using var cts = Net.Timeout();
        var clock = new FakeTimeProvider();
        await using var binder = await YmqBinder.BindAsync(
            Net.Loopback,
            Net.Options("B", o => { o.TimeProvider = clock; o.IdleTimeout = TimeSpan.FromSeconds(60); }),
            new ListLogger(),
            cts.Token);
        using var silent = await GreetAsync(binder.LocalAddress, "silent", cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);
        using var chatty = await GreetAsync(binder.LocalAddress, "chatty", cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);

        // The chatty peer sends a frame every 20 s of the fake clock (a heartbeat); the silent one nothing.
        YmqPeerDisconnected? gone = null;
        var start = clock.GetUtcNow();
        var received = 0;
        while (gone is null && clock.GetUtcNow() - start < TimeSpan.FromMinutes(5))
        {
            chatty.Send(Frame([1]));
            while (true)
            {
                var next = await binder.Events.ReadAsync(cts.Token);
                if (next is YmqPeerDisconnected disconnected)
                {
                    gone = disconnected;
                    continue;
                }

                Assert.IsType<YmqFrameReceived>(next);
                received++;
                break;
            }

            for (var i = 0; i < 4 && gone is null; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(5));
                await Task.Delay(20, cts.Token);
                if (binder.Events.TryRead(out var early))
                {
                    gone = Assert.IsType<YmqPeerDisconnected>(early);
                }
            }
        }

        var dropped = Assert.IsType<YmqPeerDisconnected>(gone);
        Assert.Equal("silent", dropped.Peer.ToString());
        Assert.Contains("YmqOptions.IdleTimeout", dropped.Error!.Message, StringComparison.Ordinal);
        Assert.InRange(clock.GetUtcNow() - start, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(100));
        Assert.True(received >= 3);
        Assert.Equal(["chatty"], binder.ConnectedPeers.Select(p => p.ToString()));
    }

    [Fact]
    public async Task ConnectionsOverMaxConnections_AreClosedAtOnce_LoggedOncePerInterval_AndRoomIsMadeWhenOneLeaves()
    {
        using var cts = Net.Timeout();
        var log = new ListLogger();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B", o => o.MaxConnections = 2), log, cts.Token);
        var first = await GreetAsync(binder.LocalAddress, "one", cts.Token);
        using var second = await GreetAsync(binder.LocalAddress, "two", cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, await BytesBeforeCloseAsync(binder.LocalAddress, cts.Token));
        }

        Assert.Single(log.Messages, m => m.Contains("YmqOptions.MaxConnections", StringComparison.Ordinal));

        first.Dispose();
        await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        while (true)
        {
            // The slot comes back when the connection's task has ended, just after its event.
            try
            {
                using var next = await Net.RawConnectAsync(binder.LocalAddress, cts.Token);
                await next.SendAsync(Sequences.Stream("three"u8.ToArray()), SocketFlags.None, cts.Token);
                var buffer = new byte[4];
                if (await next.ReceiveAsync(buffer, SocketFlags.None, cts.Token) == 4)
                {
                    Assert.Equal("three", (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer.ToString());
                    break;
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Still refused.
            }

            await Task.Delay(10, cts.Token);
        }
    }

    [Fact]
    public async Task BindingAPortInUse_FailsWithOneMessageNamingTheAddress()
    {
        using var cts = Net.Timeout();
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var address = Net.Loopback.WithPort(((IPEndPoint)holder.LocalEndPoint!).Port);

        var error = await Assert.ThrowsAsync<YmqAddressException>(
            () => YmqBinder.BindAsync(address, Net.Options("B"), NullLogger.Instance, cts.Token));

        Assert.Equal($"cannot bind {address}: address already in use", error.Message);
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    [Fact]
    public async Task BindingAHostThatDoesNotResolve_FailsWithOneMessageNamingTheAddress()
    {
        using var cts = Net.Timeout();
        var address = ScalerAddress.Parse("tcp://no-such-host.invalid:1234");

        var error = await Assert.ThrowsAsync<YmqAddressException>(
            () => YmqBinder.BindAsync(address, Net.Options("B"), NullLogger.Instance, cts.Token));

        Assert.StartsWith("cannot bind tcp://no-such-host.invalid:1234: ", error.Message, StringComparison.Ordinal);
    }

    private static async Task<Socket> GreetAsync(ScalerAddress address, string identity, CancellationToken cancellationToken)
    {
        var socket = await Net.RawConnectAsync(address, cancellationToken);
        await socket.SendAsync(Sequences.Stream(System.Text.Encoding.UTF8.GetBytes(identity)), SocketFlags.None, cancellationToken);
        return socket;
    }

    /// <summary>Connects and reads until closed: 0 when the binder closed it without a greeting (the reset may even fail the connect).</summary>
    private static async Task<int> BytesBeforeCloseAsync(ScalerAddress address, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = await Net.RawConnectAsync(address, cancellationToken);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }

        using (socket)
        {
            return await Net.DrainUntilClosedAsync(socket, cancellationToken);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    private static byte[] Header(long length)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, length);
        return header;
    }

    private static byte[] Frame(byte[] payload) => [.. Header(payload.Length), .. payload];
}
