using System.Buffers;
using System.Buffers.Binary;

namespace Scaler.IO.Ymq;

/// <summary>
/// Pure YMQ stream parsing over a <see cref="ReadOnlySequence{T}"/> (no I/O). Each method returns false when more
/// bytes are needed and leaves the buffer untouched; on success it slices what it consumed off the front.
/// A header split across segments is copied to the stack, never assumed to sit in the first span.
/// </summary>
public static class YmqFrameReader
{
    /// <summary>The option name quoted when <see cref="TryReadFrame"/> rejects a frame.</summary>
    internal const string DefaultLimitName = "YmqOptions.MaxFrameBytes";

    /// <summary>Reads the 4-byte magic. Throws <see cref="YmqProtocolException"/> when the bytes are not 'YMQ\x01'.</summary>
    public static bool TryReadMagic(ref ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < YmqWire.MagicSize)
        {
            return false;
        }

        Span<byte> magic = stackalloc byte[YmqWire.MagicSize];
        buffer.Slice(0, YmqWire.MagicSize).CopyTo(magic);
        if (!magic.SequenceEqual(YmqWire.Magic))
        {
            throw new YmqProtocolException(
                $"peer did not open with the YMQ magic 59-4D-51-01: got {Convert.ToHexString(magic)}");
        }

        buffer = buffer.Slice(YmqWire.MagicSize);
        return true;
    }

    /// <summary>
    /// Reads a frame header (8-byte little-endian length) and checks the length against
    /// <paramref name="maxFrameBytes"/> before the body has arrived. Consumes only the header.
    /// </summary>
    public static bool TryReadHeader(ref ReadOnlySequence<byte> buffer, long maxFrameBytes, out long payloadLength) =>
        TryReadHeader(ref buffer, maxFrameBytes, DefaultLimitName, out payloadLength);

    /// <summary>
    /// Reads a whole frame. The declared length is checked against <paramref name="maxFrameBytes"/> as soon as the
    /// header is complete, so an oversized frame is rejected without waiting for its body.
    /// <paramref name="payload"/> is a slice of <paramref name="buffer"/>: copy it before advancing the reader.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, long maxFrameBytes, out ReadOnlySequence<byte> payload) =>
        TryReadFrame(ref buffer, maxFrameBytes, DefaultLimitName, out payload);

    internal static bool TryReadFrame(
        ref ReadOnlySequence<byte> buffer, long maxFrameBytes, string limitName, out ReadOnlySequence<byte> payload)
    {
        var rest = buffer;
        if (!TryReadHeader(ref rest, maxFrameBytes, limitName, out var length) || rest.Length < length)
        {
            payload = default;
            return false;
        }

        payload = rest.Slice(0, length);
        buffer = rest.Slice(length);
        return true;
    }

    internal static bool TryReadHeader(
        ref ReadOnlySequence<byte> buffer, long maxFrameBytes, string limitName, out long payloadLength)
    {
        payloadLength = 0;
        if (buffer.Length < YmqWire.HeaderSize)
        {
            return false;
        }

        ulong declared;
        var first = buffer.FirstSpan;
        if (first.Length >= YmqWire.HeaderSize)
        {
            declared = BinaryPrimitives.ReadUInt64LittleEndian(first);
        }
        else
        {
            Span<byte> header = stackalloc byte[YmqWire.HeaderSize];
            buffer.Slice(0, YmqWire.HeaderSize).CopyTo(header);
            declared = BinaryPrimitives.ReadUInt64LittleEndian(header);
        }

        if (declared > (ulong)maxFrameBytes)
        {
            throw new YmqProtocolException(
                $"peer declared a frame of {declared} bytes, over the limit of {maxFrameBytes} bytes ({limitName})");
        }

        payloadLength = (long)declared;
        buffer = buffer.Slice(YmqWire.HeaderSize);
        return true;
    }
}
