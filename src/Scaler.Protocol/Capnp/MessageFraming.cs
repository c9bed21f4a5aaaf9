using System.Buffers;
using System.Buffers.Binary;

namespace Scaler.Protocol.Capnp;

/// <summary>Writes the single-segment framing (segment table) around a measured message body.</summary>
internal static class MessageFraming
{
    public const int HeaderBytes = 8;

    public static int FrameBytes(long segmentWords)
    {
        if (segmentWords > Words.MaxSegmentWords)
        {
            throw new ProtocolException($"message of {segmentWords} words is too large to encode in one segment");
        }

        return HeaderBytes + (int)(segmentWords * 8);
    }

    /// <summary>Writes the table and returns a writer over the (cleared) segment.</summary>
    public static SegmentWriter Begin(Span<byte> frame, long segmentWords)
    {
        frame.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.Slice(4), (uint)segmentWords);
        return new SegmentWriter(frame.Slice(HeaderBytes));
    }

    public static Span<byte> Rent(IBufferWriter<byte> output, int frameBytes)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.GetSpan(frameBytes).Slice(0, frameBytes);
    }
}
