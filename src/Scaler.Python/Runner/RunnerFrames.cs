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

    /// <summary>Builds a frame in memory, then writes it in one call.</summary>
    internal sealed class Builder
    {
        private readonly ArrayBufferWriter<byte> _frame;

        public Builder(byte kind, int capacity = 256)
        {
            _frame = new ArrayBufferWriter<byte>(capacity + 5);
            _frame.Write<byte>([0, 0, 0, 0, kind]);
        }

        public Builder Blob(ReadOnlySpan<byte> value)
        {
            U32((uint)value.Length);
            _frame.Write(value);
            return this;
        }

        public Builder U32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_frame.GetSpan(4), value);
            _frame.Advance(4);
            return this;
        }

        public Builder U8(byte value)
        {
            _frame.GetSpan(1)[0] = value;
            _frame.Advance(1);
            return this;
        }

        public void WriteTo(Stream stream)
        {
            var length = _frame.WrittenCount - 4;
            if (length > MaxFrameBytes)
            {
                throw new InvalidOperationException($"a task of {length} bytes exceeds the runner channel's {MaxFrameBytes}-byte frame limit");
            }

            var frame = _frame.WrittenMemory;
            BinaryPrimitives.WriteUInt32LittleEndian(System.Runtime.InteropServices.MemoryMarshal.AsMemory(frame).Span, (uint)length);
            stream.Write(frame.Span);
            stream.Flush();
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
