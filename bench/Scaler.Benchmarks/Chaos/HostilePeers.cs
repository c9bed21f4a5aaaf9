using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.Chaos;

/// <summary>What an attacker on the same network does to a YMQ port: floods it with greeted connections, and sends it garbage.</summary>
internal static class HostilePeers
{
    private static ReadOnlySpan<byte> Magic => "YMQ\x01"u8;

    /// <summary>Opens <paramref name="count"/> connections, greets on each, holds them for <paramref name="hold"/>, closes them.</summary>
    public static async Task FloodAsync(int port, int count, TimeSpan hold, CancellationToken cancellationToken)
    {
        var sockets = new List<Socket>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                try
                {
                    await socket.ConnectAsync("127.0.0.1", port, cancellationToken);
                    await socket.SendAsync(Greeting($"flood|{i}"), SocketFlags.None, cancellationToken);
                }
                catch (SocketException)
                {
                    // Refused or reset: the target defends itself, which is the point.
                }
            }

            await Task.Delay(hold, cancellationToken);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// <paramref name="connections"/> connections that each send one kind of bad input: random bytes without the
    /// magic, frames of random bytes after a greeting, a frame that claims a huge length, a frame cut short.
    /// </summary>
    public static async Task FuzzAsync(int port, int connections, Random random, CancellationToken cancellationToken)
    {
        for (var i = 0; i < connections; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync("127.0.0.1", port, cancellationToken);
                var bytes = (i % 5) switch
                {
                    4 => [.. Greeting($"fuzz|{i}"), .. Mutated(random)],
                    0 => RandomBytes(random, random.Next(1, 4096)),
                    1 => [.. Greeting($"fuzz|{i}"), .. Frames(random, random.Next(1, 20))],
                    2 => [.. Greeting($"fuzz|{i}"), .. Length(1UL << 40), .. RandomBytes(random, 64)],
                    _ => [.. Greeting($"fuzz|{i}"), .. Length(100_000), .. RandomBytes(random, 1000)],
                };
                await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
                await Task.Delay(random.Next(0, 50), cancellationToken);
            }
            catch (SocketException)
            {
            }
        }
    }

    /// <summary>
    /// Real messages (a heartbeat, a task, an object request header) framed correctly, with a few bytes flipped:
    /// what gets past the framing and into the Cap'n Proto reader.
    /// </summary>
    private static byte[] Mutated(Random random)
    {
        var id = new byte[32];
        random.NextBytes(id);
        byte[] body = random.Next(3) switch
        {
            0 => MessageCodec.Encode(new WorkerHeartbeat { Capabilities = [], QueueSize = 10, Processors = [] }),
            1 => MessageCodec.Encode(new TaskMessage { TaskId = id, Source = id, Metadata = [], FuncObjectId = id, FunctionArgs = [], Capabilities = [] }),
            _ => ObjectStorageCodec.EncodeRequestHeader(new ObjectRequestHeader { ObjectID = new ObjectID { Field0 = 1 }, PayloadLength = 8, RequestID = 1, RequestType = ObjectRequestType.SetObject }),
        };
        for (var flips = random.Next(1, 6); flips > 0; flips--)
        {
            body[random.Next(body.Length)] = (byte)random.Next(256);
        }

        return [.. Length((ulong)body.Length), .. body];
    }

    private static byte[] Greeting(string identity) => [.. Magic, .. Length((ulong)identity.Length), .. Encoding.ASCII.GetBytes(identity)];

    private static byte[] Frames(Random random, int count)
    {
        var frames = new List<byte>();
        for (var i = 0; i < count; i++)
        {
            var body = RandomBytes(random, random.Next(0, 512));
            frames.AddRange(Length((ulong)body.Length));
            frames.AddRange(body);
        }

        return [.. frames];
    }

    private static byte[] Length(ulong length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        return bytes;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
