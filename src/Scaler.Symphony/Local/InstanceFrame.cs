using System.Buffers.Binary;
using System.Text;

namespace Scaler.Symphony.Local;

/// <summary>What a frame between the local engine and a service instance process says.</summary>
internal enum InstanceFrameKind : byte
{
    /// <summary>Engine to instance: run a task. Body: session id, task id, input.</summary>
    Invoke = 1,

    /// <summary>Engine to instance: leave the session, destroy the service, exit. Body: empty.</summary>
    Shutdown = 2,

    /// <summary>Instance to engine: OnCreateService returned. Body: process id.</summary>
    Ready = 10,

    // 11 was "Started" (OnInvoke entered): one more write and engine wake-up per task, for nothing the engine did
    // not know already (it counts a task as started when it hands it over). Not reused, so a mismatched pair fails.

    /// <summary>Instance to engine: OnInvoke ended. Body: task id, <see cref="InstanceTaskStatus"/>, then output or error.</summary>
    Completed = 12,
}

/// <summary>How OnInvoke ended, in a <see cref="InstanceFrameKind.Completed"/> frame.</summary>
internal enum InstanceTaskStatus : byte
{
    Output = 0,
    Failure = 1,
    Fatal = 2,
}

/// <summary>
/// One frame of the engine/instance channel (the instance's stdin and stdout): length u32 little-endian (kind and
/// body, not counting itself), kind u8, body. Strings are u32 length + UTF-8, byte arrays u32 length + bytes.
/// </summary>
internal sealed class InstanceFrame
{
    /// <summary>Largest frame either side accepts; a task input or output must fit.</summary>
    public const int MaxFrameBytes = 1024 * 1024 * 1024;

    private readonly ReadOnlyMemory<byte> _body;
    private int _offset;

    private InstanceFrame(InstanceFrameKind kind, ReadOnlyMemory<byte> body)
    {
        Kind = kind;
        _body = body;
    }

    public InstanceFrameKind Kind { get; }

    public static byte[] Build(InstanceFrameKind kind, params object[] fields)
    {
        var length = 1 + fields.Sum(f => f switch
        {
            string s => 4L + Encoding.UTF8.GetByteCount(s),
            ReadOnlyMemory<byte> m => 4L + m.Length,
            byte => 1L,
            int => 4L,
            _ => throw new ArgumentException($"unsupported field type {f.GetType()}", nameof(fields)),
        });
        if (length > MaxFrameBytes)
        {
            throw new InvalidOperationException($"a frame of {length} bytes exceeds the channel's limit of {MaxFrameBytes}");
        }

        var frame = new byte[4 + length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)length);
        frame[4] = (byte)kind;
        var at = 5;
        foreach (var field in fields)
        {
            switch (field)
            {
                case string s:
                    var count = Encoding.UTF8.GetBytes(s, frame.AsSpan(at + 4));
                    BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(at), (uint)count);
                    at += 4 + count;
                    break;
                case ReadOnlyMemory<byte> m:
                    BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(at), (uint)m.Length);
                    m.Span.CopyTo(frame.AsSpan(at + 4));
                    at += 4 + m.Length;
                    break;
                case byte b:
                    frame[at++] = b;
                    break;
                case int i:
                    BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(at), i);
                    at += 4;
                    break;
            }
        }

        return frame;
    }

    /// <summary>Buffer of a reading side of the instance channel.</summary>
    public const int ReadBufferBytes = 64 * 1024;

    /// <summary>
    /// Reads one frame, blocking; null at a clean end of stream between frames. Both sides read on a thread of their
    /// own: an asynchronous read of a pipe costs an epoll wake-up and a thread-pool hop per frame, the blocking read one
    /// wake-up, and there is one frame per task each way.
    /// </summary>
    public static InstanceFrame? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        var got = stream.ReadAtLeast(header, 4, throwOnEndOfStream: false);
        if (got == 0)
        {
            return null;
        }

        if (got < 4)
        {
            throw new EndOfStreamException("the channel ended inside a frame header");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length is 0 or > MaxFrameBytes)
        {
            throw new InvalidDataException($"frame length {length} is outside 1..{MaxFrameBytes} (MaxFrameBytes)");
        }

        var body = new byte[length];
        stream.ReadExactly(body);
        return new InstanceFrame((InstanceFrameKind)body[0], body.AsMemory(1));
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes().Span);

    public ReadOnlyMemory<byte> ReadBytes()
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(Take(4).Span);
        if (length > (uint)(_body.Length - _offset))
        {
            throw new InvalidDataException($"a {Kind} frame field claims {length} bytes, {_body.Length - _offset} left");
        }

        return Take((int)length);
    }

    public byte ReadByte() => Take(1).Span[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4).Span);

    private ReadOnlyMemory<byte> Take(int count)
    {
        if (count > _body.Length - _offset)
        {
            throw new InvalidDataException($"a {Kind} frame is shorter than its fields");
        }

        var slice = _body.Slice(_offset, count);
        _offset += count;
        return slice;
    }
}
