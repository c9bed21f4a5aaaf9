using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Scaler.IO.Addressing;

namespace Scaler.ObjectStorage.Tests.Support;

/// <summary>
/// A YMQ peer written from the wire rules alone (magic, u64 little-endian length + payload frames, identity first),
/// without our transport: it sends exactly the bytes it is given.
/// </summary>
internal sealed class RawYmqPeer : IAsyncDisposable
{
    private static readonly byte[] Magic = "YMQ\u0001"u8.ToArray();

    private readonly Socket _socket;

    private RawYmqPeer(Socket socket, byte[] remoteIdentity)
    {
        _socket = socket;
        RemoteIdentity = remoteIdentity;
    }

    public byte[] RemoteIdentity { get; }

    public static async Task<RawYmqPeer> ConnectAsync(ScalerAddress address, byte[] identity, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, address.Port), cancellationToken);
            await socket.SendAsync(Magic, SocketFlags.None, cancellationToken);
            await SendFrameAsync(socket, identity, cancellationToken);
            Assert.Equal(Magic, await ReceiveExactlyAsync(socket, 4, cancellationToken));
            byte[] remoteIdentity = await ReceiveFrameAsync(socket, cancellationToken)
                ?? throw new IOException("closed during the handshake");
            return new RawYmqPeer(socket, remoteIdentity);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Task SendFrameAsync(byte[] frame, CancellationToken cancellationToken) => SendFrameAsync(_socket, frame, cancellationToken);

    /// <summary>The next frame, or null when the server closed the connection.</summary>
    public Task<byte[]?> ReceiveFrameAsync(CancellationToken cancellationToken) => ReceiveFrameAsync(_socket, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task SendFrameAsync(Socket socket, byte[] frame, CancellationToken cancellationToken)
    {
        byte[] length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)frame.Length);
        await socket.SendAsync(length, SocketFlags.None, cancellationToken);
        if (frame.Length > 0)
        {
            await socket.SendAsync(frame, SocketFlags.None, cancellationToken);
        }
    }

    private static async Task<byte[]?> ReceiveFrameAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[]? length = await ReceiveExactlyAsync(socket, 8, cancellationToken);
        if (length is null)
        {
            return null;
        }

        int count = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(length));
        return count == 0 ? [] : await ReceiveExactlyAsync(socket, count, cancellationToken);
    }

    private static async Task<byte[]?> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            filled += read;
        }

        return buffer;
    }
}
