using System.Buffers.Binary;

namespace Scaler.Protocol.Capnp;

/// <summary>
/// The segment table at the start of an unpacked message: u32 (segment count - 1), one u32 size in words per
/// segment, padding to a word boundary, then the segments back to back.
/// </summary>
internal static class SegmentTable
{
    /// <summary>Checks the table against the input and the limits; returns the segment count.</summary>
    public static int Validate(ReadOnlySpan<byte> frame, ReaderOptions options)
    {
        if (frame.Length < 8)
        {
            throw new ProtocolException(
                $"segment table truncated: a message needs at least 8 bytes, the input has {frame.Length}");
        }

        long count = (long)BinaryPrimitives.ReadUInt32LittleEndian(frame) + 1;
        if (count > options.MaxSegments)
        {
            throw new ProtocolException(
                $"segment table declares {count} segments, more than the limit of {options.MaxSegments} (ReaderOptions.MaxSegments)");
        }

        long headerBytes = HeaderBytes(count);
        if (headerBytes > frame.Length)
        {
            throw new ProtocolException(
                $"segment table truncated: {count} segments need a {headerBytes}-byte table, the input has {frame.Length} bytes");
        }

        long end = headerBytes;
        for (var i = 0; i < count; i++)
        {
            long words = BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(4 + (4 * i)));
            end += words * 8;
            if (end > frame.Length)
            {
                throw new ProtocolException(
                    $"segment {i} of {words} words extends beyond the input (needs {end} bytes, the input has {frame.Length})");
            }
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(4)) == 0)
        {
            throw new ProtocolException("segment 0 is empty: the message has no root pointer");
        }

        return (int)count;
    }

    public static long HeaderBytes(long count) => ((4 + (4 * count)) + 7) & ~7L;

    /// <summary>Start byte and size in words of one segment of a validated table.</summary>
    public static (int StartByte, int Words) Locate(ReadOnlySpan<byte> frame, int index)
    {
        var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame) + 1;
        var start = (int)HeaderBytes(count);
        for (var i = 0; i < index; i++)
        {
            start += (int)BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(4 + (4 * i))) * 8;
        }

        return (start, (int)BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(4 + (4 * index))));
    }

    public static int Count(ReadOnlySpan<byte> frame) => (int)BinaryPrimitives.ReadUInt32LittleEndian(frame) + 1;
}
