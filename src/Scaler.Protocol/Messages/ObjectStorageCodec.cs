using System.Buffers;
using Scaler.Protocol.Capnp;

namespace Scaler.Protocol.Messages;

/// <summary>
/// Decodes and encodes the header frames of object storage connections; each frame is a whole message whose root is
/// an <see cref="ObjectRequestHeader"/> or an <see cref="ObjectResponseHeader"/>.
/// </summary>
public static class ObjectStorageCodec
{
    public static ObjectRequestHeader DecodeRequestHeader(ReadOnlySpan<byte> frame, ReaderOptions? options = null)
    {
        var root = MessageRoot.Open(frame, options);
        return ObjectRequestHeader.Read(root.GetRoot<ObjectRequestHeaderReader>());
    }

    public static ObjectResponseHeader DecodeResponseHeader(ReadOnlySpan<byte> frame, ReaderOptions? options = null)
    {
        var root = MessageRoot.Open(frame, options);
        return ObjectResponseHeader.Read(root.GetRoot<ObjectResponseHeaderReader>());
    }

    public static byte[] EncodeRequestHeader(ObjectRequestHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var words = 1 + ObjectRequestHeader.DataWords + ObjectRequestHeader.PointerCount + header.MeasureContent();
        var frame = new byte[MessageFraming.FrameBytes(words)];
        var writer = MessageFraming.Begin(frame, words);
        writer.Allocate(1);
        header.Write(ref writer, writer.WriteStruct(0, ObjectRequestHeader.DataWords, ObjectRequestHeader.PointerCount));
        return frame;
    }

    public static void EncodeRequestHeader(ObjectRequestHeader header, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(header);
        var words = 1 + ObjectRequestHeader.DataWords + ObjectRequestHeader.PointerCount + header.MeasureContent();
        var bytes = MessageFraming.FrameBytes(words);
        var writer = MessageFraming.Begin(MessageFraming.Rent(output, bytes), words);
        writer.Allocate(1);
        header.Write(ref writer, writer.WriteStruct(0, ObjectRequestHeader.DataWords, ObjectRequestHeader.PointerCount));
        output.Advance(bytes);
    }

    public static byte[] EncodeResponseHeader(ObjectResponseHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var words = 1 + ObjectResponseHeader.DataWords + ObjectResponseHeader.PointerCount + header.MeasureContent();
        var frame = new byte[MessageFraming.FrameBytes(words)];
        var writer = MessageFraming.Begin(frame, words);
        writer.Allocate(1);
        header.Write(ref writer, writer.WriteStruct(0, ObjectResponseHeader.DataWords, ObjectResponseHeader.PointerCount));
        return frame;
    }

    public static void EncodeResponseHeader(ObjectResponseHeader header, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(header);
        var words = 1 + ObjectResponseHeader.DataWords + ObjectResponseHeader.PointerCount + header.MeasureContent();
        var bytes = MessageFraming.FrameBytes(words);
        var writer = MessageFraming.Begin(MessageFraming.Rent(output, bytes), words);
        writer.Allocate(1);
        header.Write(ref writer, writer.WriteStruct(0, ObjectResponseHeader.DataWords, ObjectResponseHeader.PointerCount));
        output.Advance(bytes);
    }
}
