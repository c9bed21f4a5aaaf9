using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Scheduler.Runtime;

namespace Scaler.Scheduler.Tests.Runtime;

public sealed class BinderOutboxTests
{
    [Fact]
    public async Task APeerThatLeavesItsOutboxFull_IsDisconnected_AndTheOthersAreServed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var binder = await YmqBinder.BindAsync(
            ScalerAddress.Parse("tcp://127.0.0.1:0"), new YmqOptions { Identity = "scheduler", SendQueueMaxBytes = 1024 }, NullLogger.Instance, cts.Token);
        await using var reader = YmqConnector.Connect(binder.LocalAddress, new YmqOptions { Identity = "reader" }, NullLogger.Instance);
        var readerPeer = await NextConnectedAsync(binder, cts.Token);
        using var stuck = await GreetRawAsync(binder.LocalAddress, "stuck", cts.Token);
        var stuckPeer = await NextConnectedAsync(binder, cts.Token);
        var outbox = new BinderOutbox(binder, NullLogger.Instance, cts.Token, maxQueuedPerPeer: 4);

        // The stuck peer never reads: its socket buffers, then its transport queue, then its outbox fill.
        var frame = new byte[1 << 20];
        YmqPeerDisconnected? gone = null;
        for (var i = 0; i < 1000 && gone is null; i++)
        {
            outbox.Send(stuckPeer, frame);
            outbox.Send(readerPeer, [(byte)(i % 256)]);
            await Task.Delay(5, cts.Token);
            while (gone is null && binder.Events.TryRead(out var e))
            {
                gone = e as YmqPeerDisconnected;
            }
        }

        Assert.NotNull(gone);
        Assert.Equal(stuckPeer, gone.Peer);
        Assert.Equal(0, (await reader.ReceiveAsync(cts.Token)).Span[0]);
        Assert.Equal(1, (await reader.ReceiveAsync(cts.Token)).Span[0]);
    }

    private static async Task<PeerIdentity> NextConnectedAsync(YmqBinder binder, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await binder.Events.ReadAsync(cancellationToken) is YmqPeerConnected connected)
            {
                return connected.Peer;
            }
        }
    }

    private static async Task<Socket> GreetRawAsync(ScalerAddress address, string identity, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, address.Port), cancellationToken);
        var name = System.Text.Encoding.UTF8.GetBytes(identity);
        var greeting = new byte[4 + 8 + name.Length];
        "YMQ\x01"u8.CopyTo(greeting);
        BinaryPrimitives.WriteUInt64LittleEndian(greeting.AsSpan(4), (ulong)name.Length);
        name.CopyTo(greeting, 12);
        await socket.SendAsync(greeting, SocketFlags.None, cancellationToken);
        return socket;
    }
}
