using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

/// <summary>
/// Disposing a binder or a connector writes the frames already queued before it closes (bounded by
/// <see cref="YmqOptions.CloseFlushTimeout"/>): the last frames of a peer that stops (a shutdown answer, workers told
/// to stop) are not lost with the connection.
/// </summary>
public sealed class GracefulCloseTests
{
    // Enough bytes that the send loop cannot have written them all when dispose starts.
    private const int Frames = 200;
    private const int FrameBytes = 64 * 1024;

    [Fact]
    public async Task BinderDisposedRightAfterSending_PeerStillReceivesEveryFrame()
    {
        using var cts = Net.Timeout();
        var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;

        for (var i = 0; i < Frames; i++)
        {
            Assert.True(await binder.SendAsync(peer, Numbered(i), cts.Token));
        }

        // The peer starts reading only after the dispose began: until then most frames wait in the binder's send
        // queue (the socket buffers hold a few), where a close without the flush would drop them.
        var disposing = binder.DisposeAsync().AsTask();
        await Task.Delay(200, cts.Token);
        var received = ReceiveAllAsync(connector, cts.Token);
        await disposing;

        Assert.Equal(Enumerable.Range(0, Frames), await received);
    }

    [Fact]
    public async Task ConnectorDisposedRightAfterSending_BinderStillReceivesEveryFrame()
    {
        using var cts = Net.Timeout();
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, Net.Options("C"), NullLogger.Instance, cts.Token);
        await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);

        for (var i = 0; i < Frames; i++)
        {
            await connector.SendAsync(Numbered(i), cts.Token);
        }

        await connector.DisposeAsync();

        for (var i = 0; i < Frames; i++)
        {
            var frame = await binder.Events.NextAsync<YmqFrameReceived>(cts.Token);
            Assert.Equal(i, BinaryPrimitives.ReadInt32LittleEndian(frame.Payload.Span));
        }
    }

    [Fact]
    public async Task PeerThatDoesNotRead_DisposeWaitsForTheFlushBound_OnTheInjectedClock()
    {
        using var cts = Net.Timeout();
        var clock = new FakeTimeProvider();
        var binder = await YmqBinder.BindAsync(
            Net.Loopback, Net.Options("B", o => { o.TimeProvider = clock; o.CloseFlushTimeout = TimeSpan.FromHours(1); }), NullLogger.Instance, cts.Token);
        using var silent = await Net.RawConnectAsync(binder.LocalAddress, cts.Token);
        var greeting = new byte[YmqWire.MagicSize + YmqWire.HeaderSize + 1];
        YmqWire.Magic.CopyTo(greeting);
        BinaryPrimitives.WriteInt64LittleEndian(greeting.AsSpan(YmqWire.MagicSize), 1);
        greeting[^1] = (byte)'S';
        await silent.SendAsync(greeting, SocketFlags.None, cts.Token);
        var peer = (await binder.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer;
        for (var i = 0; i < Frames; i++)
        {
            Assert.True(await binder.SendAsync(peer, Numbered(i), cts.Token));
        }

        // The peer reads nothing, so the queue cannot drain: only the bound ends the wait, and only the clock moves it.
        var disposing = binder.DisposeAsync().AsTask();
        await Task.Delay(200, cts.Token);
        Assert.False(disposing.IsCompleted);

        clock.Advance(TimeSpan.FromHours(1));
        await disposing.WaitAsync(cts.Token);
    }

    private static async Task<List<int>> ReceiveAllAsync(YmqConnector connector, CancellationToken cancellationToken)
    {
        var numbers = new List<int>();
        try
        {
            while (true)
            {
                var frame = await connector.ReceiveAsync(cancellationToken);
                numbers.Add(BinaryPrimitives.ReadInt32LittleEndian(frame.Span));
            }
        }
        catch (YmqPeerClosedException)
        {
            return numbers;
        }
    }

    private static byte[] Numbered(int number)
    {
        var frame = new byte[FrameBytes];
        BinaryPrimitives.WriteInt32LittleEndian(frame, number);
        return frame;
    }
}
