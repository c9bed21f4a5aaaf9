using Scaler.Protocol.Messages;
using Scaler.Protocol.Tests.Support;

namespace Scaler.Protocol.Tests;

/// <summary>
/// Our encoder checked by the official tool: `capnp decode` of our bytes must print exactly what it prints for the
/// official encoding of the same vector.
/// </summary>
public sealed class OfficialToolTests
{
    // Vectors that leave pointer fields unset: our classes cannot tell "unset" from "empty", so we write empty
    // values, which `capnp decode` prints while it omits null pointers. They are covered by the decode tests.
    private static readonly HashSet<string> Sparse = ["sparse-task", "sparse-worker-heartbeat", "unset-union"];

    public static TheoryData<string> FullVectors()
    {
        var data = new TheoryData<string>();
        foreach (var name in RepoPaths.VectorNames().Where(n => !Sparse.Contains(n) && n != "large-data"))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FullVectors))]
    public void Encode_ReadsIdenticallyInTheOfficialTool(string name)
    {
        var official = RepoPaths.Vector(name);
        var root = CapnpTool.RootOf(name);
        var ours = Reencode(official, root);

        Assert.Equal(CapnpTool.Decode(official, root), CapnpTool.Decode(ours, root));
    }

    [Fact]
    public void Encode_LargeData_ReadsIdenticallyInTheOfficialTool()
    {
        var official = RepoPaths.Vector("large-data");
        var ours = MessageCodec.Encode(MessageCodec.Decode(official));
        Assert.Equal(CapnpTool.Decode(official, "Message"), CapnpTool.Decode(ours, "Message"));
    }

    [Fact]
    public void Encode_HandBuiltTask_ReadsAsExpectedInTheOfficialTool()
    {
        var task = new TaskMessage
        {
            TaskId = [0x01, 0xff],
            Source = "src"u8.ToArray(),
            FunctionArgs = [new TaskMessage.Argument { Type = ArgumentType.ObjectID, Data = [0x41] }],
            Capabilities = [new TaskCapability { Name = "gpu", Value = long.MinValue }],
        };

        var text = CapnpTool.Decode(MessageCodec.Encode(task), "Message");

        Assert.Equal(
            "(task = (taskId = \"\\001\\377\", source = \"src\", metadata = \"\", funcObjectId = \"\", " +
            "functionArgs = [(type = objectID, data = \"A\")], capabilities = [(name = \"gpu\", value = -9223372036854775808)]))\n",
            text);
    }

    private static byte[] Reencode(byte[] official, string root) => root switch
    {
        "ObjectRequestHeader" => ObjectStorageCodec.EncodeRequestHeader(ObjectStorageCodec.DecodeRequestHeader(official)),
        "ObjectResponseHeader" => ObjectStorageCodec.EncodeResponseHeader(ObjectStorageCodec.DecodeResponseHeader(official)),
        _ => MessageCodec.Encode(MessageCodec.Decode(official)),
    };
}
