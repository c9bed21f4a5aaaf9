using System.Buffers;
using Scaler.Protocol.Capnp;

namespace Scaler.Protocol.Messages;

/// <summary>
/// Decodes and encodes the <c>Message</c> frames of scheduler connections (one unpacked Cap'n Proto message per
/// frame). For a hot path that must not allocate, use <see cref="MessageReader"/> directly.
/// </summary>
public static class MessageCodec
{
    /// <summary>Decodes one frame; bad input raises <see cref="ProtocolException"/> and nothing else.</summary>
    public static IMessage Decode(ReadOnlySpan<byte> frame, ReaderOptions? options = null)
    {
        var reader = MessageReader.Open(frame, options);
        return MessageUnion.Read(ref reader);
    }

    public static byte[] Encode(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var words = SegmentWords(message);
        var frame = new byte[MessageFraming.FrameBytes(words)];
        Write(message, frame, words);
        return frame;
    }

    public static void Encode(IMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        var words = SegmentWords(message);
        var bytes = MessageFraming.FrameBytes(words);
        Write(message, MessageFraming.Rent(output, bytes), words);
        output.Advance(bytes);
    }

    /// <summary>The exact size in bytes of <see cref="Encode(IMessage)"/>'s output.</summary>
    public static int GetEncodedLength(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return MessageFraming.FrameBytes(SegmentWords(message));
    }

    // Root pointer, the Message struct, then the member and everything below it.
    private static long SegmentWords(IMessage message) =>
        1 + MessageUnion.DataWords + MessageUnion.PointerCount + MessageUnion.MeasureMember(message);

    private static void Write(IMessage message, Span<byte> frame, long words)
    {
        var writer = MessageFraming.Begin(frame, words);
        writer.Allocate(1);
        var root = writer.WriteStruct(0, MessageUnion.DataWords, MessageUnion.PointerCount);
        MessageUnion.WriteMember(message, ref writer, root);
    }
}
