using System.Buffers.Binary;
using Scaler.Identity;
using Scaler.Protocol;
using Scaler.Protocol.Capnp;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Wire;

/// <summary>
/// The object-storage frames in and out of their Cap'n Proto form: request and response headers, and the payload of a
/// duplicate request, which is a whole Cap'n Proto message whose root is an <c>ObjectID</c> (48 bytes).
/// Decoding throws <see cref="ProtocolException"/> on malformed input and nothing else.
/// </summary>
internal static class ObjectStorageWire
{
    /// <summary>Length of an encoded <c>ObjectID</c> message: segment table, root pointer, four words of data.</summary>
    public const int ObjectIdMessageLength = 48;

    public static ObjectRequest DecodeRequest(ReadOnlySpan<byte> frame, ReaderOptions? options = null)
    {
        var root = MessageRoot.Open(frame, options);
        ObjectRequestHeaderReader header = root.GetRoot<ObjectRequestHeaderReader>();
        var request = new ObjectRequest(
            ReadId(header.ObjectID), header.PayloadLength, header.RequestID, header.RequestType, header.AcceptsRefusal);
        if (!Enum.IsDefined(request.Type))
        {
            throw new ProtocolException($"unknown object request type {(ushort)request.Type}");
        }

        return request;
    }

    public static ObjectResponse DecodeResponse(ReadOnlySpan<byte> frame, ReaderOptions? options = null)
    {
        var root = MessageRoot.Open(frame, options);
        ObjectResponseHeaderReader header = root.GetRoot<ObjectResponseHeaderReader>();
        var response = new ObjectResponse(
            ReadId(header.ObjectID), header.PayloadLength, header.ResponseID, header.ResponseType, header.MaxObjectBytes);
        if (!Enum.IsDefined(response.Type))
        {
            throw new ProtocolException($"unknown object response type {(ushort)response.Type}");
        }

        return response;
    }

    public static byte[] EncodeRequest(in ObjectRequest request) =>
        ObjectStorageCodec.EncodeRequestHeader(new ObjectRequestHeader
        {
            ObjectID = ToCapnp(request.ObjectId),
            PayloadLength = request.PayloadLength,
            RequestID = request.RequestId,
            RequestType = request.Type,
            AcceptsRefusal = request.AcceptsRefusal,
        });

    public static byte[] EncodeResponse(in ObjectResponse response) =>
        ObjectStorageCodec.EncodeResponseHeader(new ObjectResponseHeader
        {
            ObjectID = ToCapnp(response.ObjectId),
            PayloadLength = response.PayloadLength,
            ResponseID = response.ResponseId,
            ResponseType = response.Type,
            MaxObjectBytes = response.MaxObjectBytes,
        });

    /// <summary>Reads the source ID of a duplicate request: any valid message whose root is an <c>ObjectID</c>.</summary>
    public static ObjectId DecodeObjectIdMessage(ReadOnlySpan<byte> payload, ReaderOptions? options = null)
    {
        var root = MessageRoot.Open(payload, options);
        return ReadId(root.GetRoot<ObjectIDReader>());
    }

    /// <summary>
    /// Writes the canonical single-segment encoding of an <c>ObjectID</c> root (what the reference's clients send).
    /// The codec has no public encoder for a bare <c>ObjectID</c> root, so the fixed layout is written here.
    /// </summary>
    public static byte[] EncodeObjectIdMessage(ObjectId id)
    {
        var message = new byte[ObjectIdMessageLength];
        Span<byte> span = message;
        BinaryPrimitives.WriteUInt32LittleEndian(span, 0);                // segment count - 1
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 5);           // segment 0: root pointer + 4 data words
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], 4UL << 32);   // struct pointer: offset 0, 4 data words, 0 pointers
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], id.Field0);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], id.Field1);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], id.Field2);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], id.Field3);
        return message;
    }

    private static ObjectId ReadId(ObjectIDReader id) => new(id.Field0, id.Field1, id.Field2, id.Field3);

    private static ObjectID ToCapnp(ObjectId id) =>
        new() { Field0 = id.Field0, Field1 = id.Field1, Field2 = id.Field2, Field3 = id.Field3 };
}
