using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Tests.Support;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Ymq;

/// <summary>Raw sockets replay byte streams captured from the reference implementation against our binder and connector.</summary>
public sealed class GoldenWireTests
{
    [Theory]
    [InlineData("client-to-scheduler.bin")]
    [InlineData("worker-to-scheduler.bin")]
    [InlineData("client-to-object-storage.bin")]
    [InlineData("processor-to-object-storage.bin")]
    public async Task GoldenClientStream_IntoBinder_ReportsIdentityAndEveryFrame(string file)
    {
        using var cts = Net.Timeout();
        var listed = GoldenStreamTests.Golden.Listing()[file];
        var bytes = GoldenStreamTests.Golden.Read(file);
        await using var binder = await YmqBinder.BindAsync(Net.Loopback, Net.Options("23342|scheduler|golden"), NullLogger.Instance, cts.Token);

        using var client = await Net.RawConnectAsync(binder.LocalAddress, cts.Token);
        // Send in uneven pieces, as a real network might deliver them.
        for (var offset = 0; offset < bytes.Length; offset += 333)
        {
            await client.SendAsync(bytes.AsMemory(offset, Math.Min(333, bytes.Length - offset)), SocketFlags.None, cts.Token);
        }

        // What the binder sends first: magic, then its identity as frame 0.
        Assert.Equal("YMQ\u0001"u8.ToArray(), await Net.ReceiveExactlyAsync(client, 4, cts.Token));
        var identityLength = BinaryPrimitives.ReadInt64LittleEndian(await Net.ReceiveExactlyAsync(client, 8, cts.Token));
        Assert.Equal("23342|scheduler|golden"u8.ToArray(), await Net.ReceiveExactlyAsync(client, (int)identityLength, cts.Token));

        var connected = await binder.Events.NextAsync<YmqPeerConnected>(cts.Token);
        Assert.Equal(listed.Identity, connected.Peer.ToString());
        foreach (var (offset, length) in listed.Frames.Skip(1))
        {
            var frame = await binder.Events.NextAsync<YmqFrameReceived>(cts.Token);
            Assert.Equal(connected.Peer, frame.Peer);
            Assert.True(frame.Payload.Span.SequenceEqual(bytes.AsSpan((int)offset + 8, length)));
        }

        client.Shutdown(SocketShutdown.Send);
        var gone = await binder.Events.NextAsync<YmqPeerDisconnected>(cts.Token);
        Assert.Equal(YmqDisconnectReason.ClosedByPeer, gone.Reason);
    }

    [Theory]
    [InlineData("scheduler-to-client.bin")]
    [InlineData("object-storage-to-client.bin")]
    public async Task GoldenServerStream_IntoConnector_GivesIdentityFramesThenPeerClosed(string file)
    {
        using var cts = Net.Timeout();
        var listed = GoldenStreamTests.Golden.Listing()[file];
        var bytes = GoldenStreamTests.Golden.Read(file);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var address = Net.Loopback.WithPort(((IPEndPoint)listener.LocalEndPoint!).Port);
        await using var connector = YmqConnector.Connect(address, Net.Options("Client|e5bec3d036fd47c79a19be9029a8aa79"), NullLogger.Instance);

        using (var server = await listener.AcceptAsync(cts.Token))
        {
            await server.SendAsync(bytes, SocketFlags.None, cts.Token);
            Assert.Equal("YMQ\u0001"u8.ToArray(), await Net.ReceiveExactlyAsync(server, 4, cts.Token));
            server.Shutdown(SocketShutdown.Send);
            await Net.DrainUntilClosedAsync(server, cts.Token);
        }

        await connector.WaitConnectedAsync(cts.Token);
        Assert.Equal(listed.Identity, connector.RemoteIdentity.ToString());
        foreach (var (offset, length) in listed.Frames.Skip(1))
        {
            var frame = await connector.ReceiveAsync(cts.Token);
            Assert.True(frame.Span.SequenceEqual(bytes.AsSpan((int)offset + 8, length)));
        }

        var closed = await Assert.ThrowsAsync<YmqPeerClosedException>(async () => await connector.ReceiveAsync(cts.Token));
        Assert.Equal(YmqDisconnectReason.ClosedByPeer, closed.Reason);
    }
}
