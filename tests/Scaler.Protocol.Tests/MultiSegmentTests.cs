using Scaler.Protocol.Messages;
using Scaler.Protocol.Tests.Support;

namespace Scaler.Protocol.Tests;

public sealed class MultiSegmentTests
{
    [Theory]
    [InlineData("task")]
    [InlineData("graph-task")]
    [InlineData("worker-heartbeat")]
    [InlineData("state-scheduler")]
    [InlineData("object-instruction-create")]
    [InlineData("state-client")]
    [InlineData("task-log-stderr")]
    public void FarAndDoubleFarPointers_DecodeLikeTheSingleSegmentOriginal(string name)
    {
        var original = RepoPaths.Vector(name);
        var split = MultiSegment.Split(original);
        Assert.True(BitConverter.ToUInt32(split, 0) + 1 > 3, "the re-laid message should have several segments");

        // The official tool reads the re-laid message exactly as the original ...
        Assert.Equal(CapnpTool.Decode(original, "Message"), CapnpTool.Decode(split, "Message"));
        // ... and so do we.
        DeepEquality.AssertEqual(MessageCodec.Decode(original), MessageCodec.Decode(split));
    }

    [Fact]
    public void Headers_InSeveralSegments_Decode()
    {
        var original = RepoPaths.Vector("object-request-3-duplicateObjectID");
        var split = MultiSegment.Split(original);
        var header = ObjectStorageCodec.DecodeRequestHeader(split);
        Assert.Equal(ObjectRequestType.DuplicateObjectID, header.RequestType);
        Assert.Equal(1003ul, header.ObjectID.Field2);
    }

    [Fact]
    public void MoreSegmentsThanTheLimit_AreRejected()
    {
        var split = MultiSegment.Split(RepoPaths.Vector("state-scheduler"));
        var error = Assert.Throws<ProtocolException>(() => MessageCodec.Decode(split, new ReaderOptions { MaxSegments = 4 }));
        Assert.Contains("MaxSegments", error.Message, StringComparison.Ordinal);
    }
}
