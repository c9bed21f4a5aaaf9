using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Scaler.Python.Runner;

/// <summary>
/// The frame channel between a host and the Python runner (python/scaler_net/channel.py is the other end): a frame is
/// a u32 little-endian length of what follows, a u8 kind, then the body of blobs (u32 length + bytes) and fixed-size
/// little-endian fields. At most <see cref="MaxFrameBytes"/>, checked before anything is allocated.
/// </summary>
internal static class RunnerFrames
{
    public const int MaxFrameBytes = 1 << 30;

    // runner -> host
    public const byte Ready = 1;
    public const byte Fatal = 2;
    public const byte Result = 20;

    // host -> runner
    public const byte RunTask = 10;
    public const byte RunSoamTask = 11;
    public const byte Forget = 12;

    /// <summary>Reads one frame; null at the end of the stream (the runner is gone).</summary>
    public static (byte Kind, byte[] Body)? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        if (!ReadExactly(stream, header, allowEnd: true))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length is < 1 or > MaxFrameBytes)
        {
            throw new InvalidDataException($"the Python runner sent a frame of {length} bytes; frames are 1 to {MaxFrameBytes} bytes");
        }

        var payload = new byte[length];
        if (!ReadExactly(stream, payload, allowEnd: false))
        {
            return null;
        }

        return (payload[0], payload[1..]);
    }

    private static bool ReadExactly(Stream stream, Span<byte> buffer, bool allowEnd)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer[read..]);
            if (n == 0)
            {
                if (read == 0 && allowEnd)
                {
                    return false;
                }

                // A runner that dies mid-frame is a dead runner, not a protocol error.
                return false;
            }

            read += n;
        }

        return true;
    }

    /// <summary>Builds frames in memory (one or a batch), then writes them in one call.</summary>
    internal sealed class FrameBuffer
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);
        private int _frameStart = -1;

        public bool IsEmpty => _buffer.WrittenCount == 0;

        public FrameBuffer Begin(byte kind)
        {
            _frameStart = _buffer.WrittenCount;
            return U32(0).U8(kind);
        }

        public FrameBuffer Blob(ReadOnlySpan<byte> value)
        {
            U32((uint)value.Length);
            _buffer.Write(value);
            return this;
        }

        public FrameBuffer U32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
            _buffer.Advance(4);
            return this;
        }

        public FrameBuffer U8(byte value)
        {
            _buffer.GetSpan(1)[0] = value;
            _buffer.Advance(1);
            return this;
        }

        /// <summary>Ends the frame <see cref="Begin"/> started: its length goes in front of it.</summary>
        public FrameBuffer End()
        {
            var length = _buffer.WrittenCount - _frameStart - 4;
            if (length > MaxFrameBytes)
            {
                throw new InvalidOperationException($"a task of {length} bytes exceeds the runner channel's {MaxFrameBytes}-byte frame limit");
            }

            var header = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_buffer.WrittenMemory).Span.Slice(_frameStart, 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)length);
            _frameStart = -1;
            return this;
        }

        /// <summary>Writes every frame built so far in one call and starts over.</summary>
        public void WriteTo(Stream stream)
        {
            stream.Write(_buffer.WrittenSpan);
            stream.Flush();
            _buffer.ResetWrittenCount();
        }
    }

    /// <summary>Reads the fields of a frame body in order; a body too short is <see cref="InvalidDataException"/>.</summary>
    internal ref struct BodyReader(ReadOnlySpan<byte> body)
    {
        private readonly ReadOnlySpan<byte> _body = body;
        private int _at;

        public byte U8() => Take(1)[0];

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public double F64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public ReadOnlySpan<byte> Blob()
        {
            var length = U32();
            return Take(length > int.MaxValue ? -1 : (int)length);
        }

        public string Text() => Encoding.UTF8.GetString(Blob());

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _body.Length - _at)
            {
                throw new InvalidDataException($"a frame from the Python runner is too short (wanted {count} bytes at offset {_at} of {_body.Length})");
            }

            var slice = _body.Slice(_at, count);
            _at += count;
            return slice;
        }
    }
}
