using System.Buffers;
using System.Buffers.Binary;

namespace Scaler.IO.Ymq;

/// <summary>Writes the YMQ magic and frames (8-byte little-endian length, then the payload) into a buffer writer.</summary>
public static class YmqFrameWriter
{
    public static void WriteMagic(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(YmqWire.Magic);
    }

    /// <summary>Writes only the header of a frame whose <paramref name="payloadLength"/> bytes follow separately.</summary>
    public static void WriteHeader(IBufferWriter<byte> writer, long payloadLength)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        var span = writer.GetSpan(YmqWire.HeaderSize);
        BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)payloadLength);
        writer.Advance(YmqWire.HeaderSize);
    }

    /// <summary>Writes header and payload as one frame.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var total = YmqWire.HeaderSize + payload.Length;
        if (total <= 64 * 1024)
        {
            // One GetSpan for header and body keeps small frames contiguous in the writer.
            var span = writer.GetSpan(total);
            BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)payload.Length);
            payload.CopyTo(span[YmqWire.HeaderSize..]);
            writer.Advance(total);
            return;
        }

        WriteHeader(writer, payload.Length);
        writer.Write(payload);
    }
}
