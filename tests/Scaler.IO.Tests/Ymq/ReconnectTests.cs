using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

public sealed class ReconnectTests
{
    [Fact]
    public async Task BinderRestartsOnSamePort_ConnectorReconnects_AndDeliversQueuedFrames()
    {
        using var cts = Net.Timeout();
        var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("B"), NullLogger.Instance, cts.Token);
        var address = binder.LocalAddress;
        await using var connector = await YmqConnector.ConnectAsync(
            address, Net.Options("C", o => o.ReconnectAfterPeerClose = true), NullLogger.Instance, cts.Token);
        var disconnected = new TaskCompletionSource<YmqConnectorStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connector.StateChanged += (_, e) =>
        {
            if (e.State == YmqConnectorState.Connecting)
            {
                disconnected.TrySetResult(e);
            }
        };

        await binder.DisposeAsync();
        var change = await disconnected.Task.WaitAsync(cts.Token);
        Assert.True(change.WillReconnect);
        Assert.Equal(YmqDisconnectReason.ClosedByPeer, change.Reason);
        for (var i = 0; i < 5; i++)
        {
            await connector.SendAsync(new[] { (byte)i }, cts.Token);
        }

        await using var restarted = await YmqBinder.BindAsync(address, Net.Options("B"), NullLogger.Instance, cts.Token);

        Assert.Equal("C", (await restarted.Events.NextAsync<YmqPeerConnected>(cts.Token)).Peer.ToString());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(new[] { (byte)i }, (await restarted.Events.NextAsync<YmqFrameReceived>(cts.Token)).Payload.ToArray());
        }
    }

    [Fact]
    public async Task ServerResetsTheConnection_ConnectorReconnectsWithAFreshHandshake()
    {
        using var cts = Net.Timeout();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var address = Net.Loopback.WithPort(((IPEndPoint)listener.LocalEndPoint!).Port);
        await using var connector = YmqConnector.Connect(address, Net.Options("Client|r"), NullLogger.Instance);
        var lost = new TaskCompletionSource<YmqConnectorStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connector.StateChanged += (_, e) =>
        {
            if (e.State == YmqConnectorState.Connecting)
            {
                lost.TrySetResult(e);
            }
        };

        using (var first = await listener.AcceptAsync(cts.Token))
        {
            Assert.Equal("Client|r", await ReadHandshakeAsync(first, cts.Token));
            await first.SendAsync(Sequences.Stream("Server"u8.ToArray()), SocketFlags.None, cts.Token);
            await connector.WaitConnectedAsync(cts.Token);
            first.LingerState = new LingerOption(true, 0); // close with RST: a broken connection, not an orderly one
        }

        // Frames queued once the break is noticed wait for the next connection (frames in flight at the break may be lost).
        var change = await lost.Task.WaitAsync(cts.Token);
        Assert.Equal(YmqDisconnectReason.ConnectionLost, change.Reason);
        Assert.True(change.WillReconnect);
        await connector.SendAsync("after reset"u8.ToArray(), cts.Token);
        using var second = await listener.AcceptAsync(cts.Token);
        Assert.Equal("Client|r", await ReadHandshakeAsync(second, cts.Token));
        await second.SendAsync(Sequences.Stream("Server"u8.ToArray()), SocketFlags.None, cts.Token);
        var header = await Net.ReceiveExactlyAsync(second, 8, cts.Token);
        Assert.Equal(11, BitConverter.ToInt64(header));
        Assert.Equal("after reset"u8.ToArray(), await Net.ReceiveExactlyAsync(second, 11, cts.Token));
    }

    [Fact]
    public async Task ReconnectedPeerWithAnotherIdentity_IsRefused()
    {
        using var cts = Net.Timeout();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var address = Net.Loopback.WithPort(((IPEndPoint)listener.LocalEndPoint!).Port);
        await using var connector = YmqConnector.Connect(address, Net.Options("C", o => o.ConnectMaxRetries = 0), NullLogger.Instance);

        using (var first = await listener.AcceptAsync(cts.Token))
        {
            await first.SendAsync(Sequences.Stream("scheduler-1"u8.ToArray()), SocketFlags.None, cts.Token);
            await connector.WaitConnectedAsync(cts.Token);
            first.LingerState = new LingerOption(true, 0);
        }

        using var second = await listener.AcceptAsync(cts.Token);
        await second.SendAsync(Sequences.Stream("scheduler-2"u8.ToArray()), SocketFlags.None, cts.Token);

        var error = await Assert.ThrowsAsync<YmqConnectException>(async () => await connector.ReceiveAsync(cts.Token));
        Assert.Contains("'scheduler-2'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'scheduler-1'", error.Message, StringComparison.Ordinal);
        Assert.Equal("scheduler-1", connector.RemoteIdentity.ToString());
    }

    [Fact]
    public async Task Retries_FollowTheInjectedClock_ThenGiveUpWithTheAttemptCount()
    {
        using var cts = Net.Timeout();
        var clock = new FakeTimeProvider();
        var address = Net.Loopback.WithPort(Net.UnusedPort());
        var options = Net.Options("C", o =>
        {
            o.ConnectMaxRetries = 2;
            o.ConnectRetryInitialDelay = TimeSpan.FromSeconds(1);
            o.ConnectRetryMaxDelay = TimeSpan.FromMinutes(1);
            o.TimeProvider = clock;
        });

        var connecting = YmqConnector.ConnectAsync(address, options, NullLogger.Instance, cts.Token);

        // Retries wait 2 s then 4 s of fake time; nothing else moves the clock, so the attempt cannot finish early.
        while (!connecting.IsCompleted)
        {
            await Task.Delay(10, cts.Token);
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        var error = await Assert.ThrowsAsync<YmqConnectException>(() => connecting);
        Assert.Equal($"could not connect to {address} after 3 attempts: connection refused", error.Message);
        Assert.True(clock.GetUtcNow() - clock.Start >= TimeSpan.FromSeconds(6));
    }

    private static async Task<string> ReadHandshakeAsync(Socket socket, CancellationToken cancellationToken)
    {
        Assert.Equal("YMQ\u0001"u8.ToArray(), await Net.ReceiveExactlyAsync(socket, 4, cancellationToken));
        var length = BitConverter.ToInt64(await Net.ReceiveExactlyAsync(socket, 8, cancellationToken));
        return System.Text.Encoding.UTF8.GetString(await Net.ReceiveExactlyAsync(socket, (int)length, cancellationToken));
    }
}
