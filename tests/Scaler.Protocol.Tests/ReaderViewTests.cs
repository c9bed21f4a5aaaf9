using Scaler.Protocol.Capnp;
using Scaler.Protocol.Messages;
using Scaler.Protocol.Tests.Support;

namespace Scaler.Protocol.Tests;

/// <summary>The zero-allocation views: same values as the class API, and no allocation while reading.</summary>
public sealed class ReaderViewTests
{
    [Fact]
    public void MessageReader_ReadsTaskFieldsWithoutCopying()
    {
        var frame = RepoPaths.Vector("task");
        var reader = MessageReader.Open(frame);

        Assert.Equal(MessageKind.Task, reader.Kind);
        var task = reader.Task;
        Assert.True(task.TaskId.SequenceEqual("task-0001-abcdef"u8));
        Assert.Equal(2, task.FunctionArgs.Count);
        Assert.Equal(ArgumentType.ObjectID, task.FunctionArgs[1].Type);
        Assert.True(task.FunctionArgs[1].Data.SequenceEqual("arg-object-id-0123456789abcdefgh"u8));
        Assert.True(task.Capabilities[0].NameUtf8.SequenceEqual("gpu"u8));
        Assert.Equal(-1, task.Capabilities[0].Value);
    }

    [Fact]
    public void MessageReader_WrongMember_Throws()
    {
        var reader = MessageReader.Open(RepoPaths.Vector("task"));
        try
        {
            _ = reader.WorkerHeartbeat;
            Assert.Fail("reading a member that is not set should throw");
        }
        catch (InvalidOperationException error)
        {
            Assert.Contains("Task", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Views_EnumerateListsAndDataLists()
    {
        var reader = MessageReader.Open(RepoPaths.Vector("object-instruction-create"));
        var metadata = reader.ObjectInstruction.ObjectMetadata;
        var ids = new List<byte[]>();
        foreach (var id in metadata.ObjectIds)
        {
            ids.Add(id.ToArray());
        }

        Assert.Equal(["object-id-0"u8.ToArray(), "object-id-1"u8.ToArray()], ids);
        Assert.Equal(ObjectContentType.Object, metadata.ObjectTypes[1]);

        var heartbeat = MessageReader.Open(RepoPaths.Vector("worker-heartbeat"));
        var pids = new List<uint>();
        foreach (var processor in heartbeat.WorkerHeartbeat.Processors)
        {
            pids.Add(processor.Pid);
        }

        Assert.Equal([23357u, 23358u], pids);
    }

    [Fact]
    public void MessageRoot_ReadsHeaderViews()
    {
        var root = MessageRoot.Open(RepoPaths.Vector("object-response-3-delNotExists"));
        var header = root.GetRoot<ObjectResponseHeaderReader>();
        Assert.Equal(ObjectResponseType.DelNotExists, header.ResponseType);
        Assert.Equal(53ul, header.ResponseID);
        Assert.Equal(7ul, header.ObjectID.Field3);
    }

    [Fact]
    public void ListReader_ReadsBitListsAndPrimitiveLists()
    {
        // Root struct with two pointers: a bit list 1,0,1,1 (0b1101) and a list of three u32 values.
        var frame = RawMessage.Frame(
        [
            RawMessage.Struct(0, 0, 2),
            RawMessage.List(1, WirePointer.ElementBit, 4),
            RawMessage.List(1, WirePointer.ElementFourBytes, 3),
            0b1101,
            0x0000_0002_0000_0001ul,
            0x0000_0000_0000_0003ul,
        ]);
        var root = MessageRoot.Open(frame);
        var message = root.GetRoot();
        var bits = message.ReadList(0);
        Assert.Equal(4, bits.Count);
        Assert.True(bits.GetBool(0));
        Assert.False(bits.GetBool(1));
        Assert.True(bits.GetBool(2));
        Assert.True(bits.GetBool(3));
        var numbers = message.ReadList(1);
        Assert.Equal([1u, 2u, 3u], new[] { numbers.GetUInt32(0), numbers.GetUInt32(1), numbers.GetUInt32(2) });
        Assert.Equal(0ul, numbers.GetUInt64(0)); // narrower elements read as the default when asked for more bits
    }

    [Fact]
    public void ReadingATask_AllocatesNothing()
    {
        var frame = RepoPaths.Vector("task");
        ReadTask(frame); // warm up (JIT, statics)

        var before = GC.GetAllocatedBytesForCurrentThread();
        long checksum = 0;
        for (var i = 0; i < 100; i++)
        {
            checksum += ReadTask(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, checksum);
    }

    private static long ReadTask(byte[] frame)
    {
        var reader = MessageReader.Open(frame);
        var task = reader.Task;
        long sum = task.TaskId.Length + task.Source.Length + task.FuncObjectId.Length + task.Metadata.Length;
        foreach (var argument in task.FunctionArgs)
        {
            sum += argument.Data.Length + (int)argument.Type;
        }

        foreach (var capability in task.Capabilities)
        {
            sum += capability.Value + capability.NameUtf8.Length;
        }

        return sum;
    }
}
