using System.Buffers;
using Scaler.Protocol.Messages;
using Scaler.Protocol.Tests.Support;

namespace Scaler.Protocol.Tests;

public sealed class RoundTripTests
{
    public static TheoryData<string> AllVectors()
    {
        var data = new TheoryData<string>();
        foreach (var name in RepoPaths.VectorNames())
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public void DecodeEncodeDecode_GivesEqualObjects(string name)
    {
        var official = RepoPaths.Vector(name);
        object first;
        object second;
        switch (CapnpTool.RootOf(name))
        {
            case "ObjectRequestHeader":
                first = ObjectStorageCodec.DecodeRequestHeader(official);
                second = ObjectStorageCodec.DecodeRequestHeader(ObjectStorageCodec.EncodeRequestHeader((ObjectRequestHeader)first));
                break;
            case "ObjectResponseHeader":
                first = ObjectStorageCodec.DecodeResponseHeader(official);
                second = ObjectStorageCodec.DecodeResponseHeader(ObjectStorageCodec.EncodeResponseHeader((ObjectResponseHeader)first));
                break;
            default:
                first = MessageCodec.Decode(official);
                second = MessageCodec.Decode(MessageCodec.Encode((IMessage)first));
                break;
        }

        DeepEquality.AssertEqual(first, second);
    }

    [Fact]
    public void Encode_ToBufferWriter_EqualsEncodeToArray()
    {
        var message = MessageCodec.Decode(RepoPaths.Vector("worker-heartbeat"));
        var output = new ArrayBufferWriter<byte>();
        output.Write(new byte[] { 0xAA, 0xBB, 0xCC });

        MessageCodec.Encode(message, output);

        Assert.Equal(MessageCodec.Encode(message), output.WrittenSpan[3..].ToArray());
        Assert.Equal(MessageCodec.GetEncodedLength(message), output.WrittenCount - 3);
    }

    [Fact]
    public void EncodeHeaders_ToBufferWriter_EqualsEncodeToArray()
    {
        var request = ObjectStorageCodec.DecodeRequestHeader(RepoPaths.Vector("object-request-0-setObject"));
        var response = ObjectStorageCodec.DecodeResponseHeader(RepoPaths.Vector("object-response-1-getOK"));
        var output = new ArrayBufferWriter<byte>();

        ObjectStorageCodec.EncodeRequestHeader(request, output);
        ObjectStorageCodec.EncodeResponseHeader(response, output);

        var requestBytes = ObjectStorageCodec.EncodeRequestHeader(request);
        Assert.Equal([.. requestBytes, .. ObjectStorageCodec.EncodeResponseHeader(response)], output.WrittenSpan.ToArray());
        Assert.Equal(80, requestBytes.Length);
    }

    [Fact]
    public void Encode_DefaultMessage_DecodesToDefaults()
    {
        var decoded = Assert.IsType<WorkerHeartbeat>(MessageCodec.Decode(MessageCodec.Encode(new WorkerHeartbeat())));
        Assert.Equal(0u, decoded.QueueSize);
        Assert.Empty(decoded.WorkerManagerID);
        Assert.Empty(decoded.Processors);
        Assert.Equal(0, decoded.Agent.Cpu);
    }

    [Fact]
    public void UnknownEnumValue_SurvivesDecodeAndEncode()
    {
        var log = new TaskLog { TaskId = [1], LogType = (LogType)77, Content = "x" };
        var decoded = Assert.IsType<TaskLog>(MessageCodec.Decode(MessageCodec.Encode(log)));
        Assert.Equal(77, (int)decoded.LogType);
    }
}
