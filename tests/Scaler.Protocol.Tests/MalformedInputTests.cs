using Scaler.Protocol.Capnp;
using Scaler.Protocol.Messages;
using Scaler.Protocol.Tests.Support;
using static Scaler.Protocol.Tests.Support.RawMessage;

namespace Scaler.Protocol.Tests;

public sealed class MalformedInputTests
{
    private static ProtocolException Rejects(byte[] frame, ReaderOptions? options = null) =>
        Assert.Throws<ProtocolException>(() => MessageCodec.Decode(frame, options));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    public void TruncatedSegmentTable_IsRejected(int length)
    {
        var error = Rejects(new byte[length]);
        Assert.Contains("segment table truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SegmentTableLongerThanInput_IsRejected()
    {
        // Three segments need a 16-byte table; only 12 bytes are given.
        var error = Rejects([2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
        Assert.Contains("16-byte table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeSegmentCount_IsRejectedBeforeReadingTheTable()
    {
        var error = Rejects([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
        Assert.Contains("4294967296 segments", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSegments", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SegmentSizeBeyondInput_IsRejected()
    {
        var frame = Frame([Struct(0, 1, 1), 0]);
        frame[4] = 0xE8; // segment 0 claims 1000 words
        frame[5] = 0x03;
        var error = Rejects(frame);
        Assert.Contains("segment 0 of 1000 words extends beyond the input", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyFirstSegment_IsRejected() =>
        Assert.Contains("no root pointer", Rejects(Frame(new[] { Array.Empty<ulong>() })).Message, StringComparison.Ordinal);

    [Fact]
    public void StructPointerOutOfBounds_IsRejectedWithItsLocation()
    {
        var error = Rejects(Frame([Struct(900, 1, 0), 0]));
        Assert.Equal(
            "struct pointer at segment 0 word 0 points outside segment 0 (offset 901, 1 words, segment size 2 words)",
            error.Message);
    }

    [Fact]
    public void NegativeStructOffset_IsRejected() =>
        Assert.Contains("points outside segment", Rejects(Frame([Struct(-5, 1, 0), 0])).Message, StringComparison.Ordinal);

    [Fact]
    public void ListPointerOutOfBounds_IsRejected()
    {
        // DisconnectRequest (tag 11) whose `worker` Data claims 100 bytes that are not there.
        var error = Rejects(Frame(Message(11, 0, 1, List(0, WirePointer.ElementByte, 100))));
        Assert.Contains("list pointer at segment 0 word 3 points outside segment 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownUnionTag_IsRejected() =>
        Assert.Equal("unknown Message union tag 31", Rejects(Frame(Message(31, 0, 0))).Message);

    [Fact]
    public void FarPointerToMissingSegment_IsRejected()
    {
        var error = Rejects(Frame([Far(7, 0)]));
        Assert.Equal("far pointer at segment 0 word 0 refers to segment 7, the message has 1 segments", error.Message);
    }

    [Fact]
    public void FarPointerLandingOutsideItsSegment_IsRejected()
    {
        var error = Rejects(Frame([Far(1, 5)], [0]));
        Assert.Contains("lands outside segment 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DoubleFarWithMalformedPad_IsRejected()
    {
        // The first pad word must itself be a (single) far pointer.
        var error = Rejects(Frame([Far(1, 0, doubleFar: true)], [Struct(0, 1, 1), Struct(0, 1, 1)]));
        Assert.Contains("malformed landing pad", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StructPointingAtItself_TerminatesWithProtocolException()
    {
        // GraphTask (tag 5) whose `graph` list pointer points back at the Message struct: a struct, not a list.
        ulong[] words = [Struct(0, 1, 1), 5, Struct(0, 0, 4), 0, 0, 0, Struct(-5, 1, 1)];
        Assert.Throws<ProtocolException>(() => MessageCodec.Decode(Frame(words)));

        // An untyped walk that follows every pointer as a struct runs into the nesting limit ...
        var selfLoop = Frame([Struct(0, 0, 1), Struct(-1, 0, 1)]);
        var nesting = Assert.Throws<ProtocolException>(() => WalkStructs(selfLoop, ReaderOptions.Default));
        Assert.Contains("nesting limit", nesting.Message, StringComparison.Ordinal);

        // ... or, with nesting unbounded, into the traversal limit.
        var unbounded = new ReaderOptions { NestingLimit = int.MaxValue, TraversalLimitInWords = 1_000 };
        var traversal = Assert.Throws<ProtocolException>(() => WalkStructs(selfLoop, unbounded));
        Assert.Contains("traversal limit", traversal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListOfStructsPointingBack_TerminatesWithProtocolException()
    {
        // A composite list of 2 one-pointer structs; both pointers point back at the list.
        ulong[] words =
        [
            Struct(0, 0, 1),
            List(0, WirePointer.ElementComposite, 2),
            Struct(2, 0, 1),
            List(-2, WirePointer.ElementComposite, 2),
            List(-3, WirePointer.ElementComposite, 2),
        ];
        var options = new ReaderOptions { NestingLimit = int.MaxValue, TraversalLimitInWords = 1_000 };
        var error = Assert.Throws<ProtocolException>(() => WalkLists(Frame(words), options));
        Assert.Contains("traversal limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedData_ReadManyTimes_RunsOutOfTraversalBudget()
    {
        // TaskResult (tag 3): `results` has 100 pointers that all point at one 1000-word Data.
        const int pointers = 100;
        var member = new List<ulong> { 0, 0, 0, List(0, WirePointer.ElementPointer, pointers) };
        var dataWord = 3 + member.Count + pointers; // word index of the shared data
        for (var i = 0; i < pointers; i++)
        {
            var at = 3 + member.Count;
            member.Add(List(dataWord - at - 1, WirePointer.ElementByte, 8000));
        }

        member.AddRange(new ulong[1000]);
        var frame = Frame(Message(3, 1, 3, [.. member]));
        Assert.Equal(100, Assert.IsType<TaskResult>(MessageCodec.Decode(frame)).Results.Count);

        var error = Rejects(frame, new ReaderOptions { TraversalLimitInWords = 10_000 });
        Assert.Contains("TraversalLimitInWords", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AbsurdCompositeListCount_IsRejectedWithoutAllocating()
    {
        // Task (tag 0) whose functionArgs claims 2^29 - 1 zero-sized elements in 0 words.
        var frame = Frame(Message(0, 0, 6, 0, 0, 0, 0, List(1, WirePointer.ElementComposite, 0), 0, Struct((1 << 29) - 1, 0, 0)));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Rejects(frame);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated for the claimed size");
        Assert.Contains("traversal limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AbsurdVoidListCount_IsRejectedWithoutAllocating()
    {
        // TaskResult (tag 3) whose `results` is a void list of 2^29 - 1 elements.
        var frame = Frame(Message(3, 1, 3, 0, 0, 0, List(0, WirePointer.ElementVoid, (1 << 29) - 1)));
        var before = GC.GetAllocatedBytesForCurrentThread();
        Rejects(frame);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated for the claimed size");
    }

    [Fact]
    public void CompositeListWithMoreElementsThanWords_IsRejected()
    {
        var frame = Frame(Message(0, 0, 6, 0, 0, 0, 0, List(1, WirePointer.ElementComposite, 2), 0, Struct(5, 1, 1), 0, 0));
        Assert.Contains("declares 5 elements of 2 words", Rejects(frame).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeCompositeWordCount_IsRejectedAsOutOfBounds()
    {
        var frame = Frame(Message(0, 0, 6, 0, 0, 0, 0, List(1, WirePointer.ElementComposite, (1 << 29) - 1), 0, Struct(1, 1, 0), 0));
        Assert.Contains("composite list pointer", Rejects(frame).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TraversalLimit_IsConfigurable()
    {
        var large = RepoPaths.Vector("large-list");
        Assert.Equal(10_000, Assert.IsType<TaskResult>(MessageCodec.Decode(large)).Results.Count);
        Rejects(large, new ReaderOptions { TraversalLimitInWords = 1_000 });
    }

    [Fact]
    public void NestingLimit_IsConfigurable()
    {
        var nested = RepoPaths.Vector("state-scheduler");
        MessageCodec.Decode(nested);
        Assert.Contains("NestingLimit", Rejects(nested, new ReaderOptions { NestingLimit = 3 }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TextWithoutNul_IsRejected()
    {
        // TaskLog (tag 4): content "abc" without terminator.
        var frame = Frame(Message(4, 1, 2, 0, 0, List(0, WirePointer.ElementByte, 3), Bytes("abc")));
        Assert.Contains("not NUL-terminated", Rejects(frame).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CapabilityPointer_IsRejected() =>
        Assert.Contains("capabilities are not supported", Rejects(Frame(Message(11, 0, 1, 3))).Message, StringComparison.Ordinal);

    [Fact]
    public void StructWhereListExpected_IsRejected() =>
        Assert.Contains("expected a list pointer", Rejects(Frame(Message(11, 0, 1, Struct(0, 1, 0), 0))).Message, StringComparison.Ordinal);

    [Fact]
    public void DataEncodedAsWords_IsRejected() =>
        Assert.Contains("not a list of bytes", Rejects(Frame(Message(11, 0, 1, List(0, WirePointer.ElementEightBytes, 1), 7))).Message, StringComparison.Ordinal);

    [Fact]
    public void BitListAsStructList_IsRejected()
    {
        var frame = Frame(Message(0, 0, 6, 0, 0, 0, 0, List(1, WirePointer.ElementBit, 3), 0, 5));
        Assert.Contains("list of bits", Rejects(frame).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OlderSchemaStruct_ReadsMissingFieldsAsDefaults()
    {
        // A WorkerHeartbeat written by an older schema: one data word (rssFree) and one pointer (agent).
        var frame = Frame(Message(9, 1, 1, 12345, Struct(0, 2, 0), 7, 99));
        var heartbeat = Assert.IsType<WorkerHeartbeat>(MessageCodec.Decode(frame));
        Assert.Equal(12345ul, heartbeat.RssFree);
        Assert.Equal(7, heartbeat.Agent.Cpu);
        Assert.Equal(99ul, heartbeat.Agent.Rss);
        Assert.Equal(0u, heartbeat.QueueSize);
        Assert.Equal(0ul, heartbeat.MemLimit);
        Assert.Empty(heartbeat.WorkerManagerID);
    }

    [Fact]
    public void NewerSchemaStruct_IgnoresUnknownFields()
    {
        // DisconnectRequest with an extra data word and an extra pointer a newer schema might add.
        var frame = Frame(Message(11, 1, 2, 0xdead, List(1, WirePointer.ElementByte, 2), List(1, WirePointer.ElementByte, 1), Bytes("ab"), Bytes("z")));
        Assert.Equal("ab"u8.ToArray(), Assert.IsType<DisconnectRequest>(MessageCodec.Decode(frame)).Worker);
    }

    [Fact]
    public void PrimitiveListWhereStructListExpected_ReadsAsStructsWithDataOnly()
    {
        // Task.capabilities written as a List(Int64): each element reads as a TaskCapability with that value.
        var frame = Frame(Message(0, 0, 6, 0, 0, 0, 0, 0, List(0, WirePointer.ElementEightBytes, 2), unchecked((ulong)-1L), 5));
        var task = Assert.IsType<TaskMessage>(MessageCodec.Decode(frame));
        Assert.Equal([-1L, 5L], task.Capabilities.Select(c => c.Value));
        Assert.All(task.Capabilities, c => Assert.Equal(string.Empty, c.Name));
    }

    [Fact]
    public void DataListEncodedAsStructList_ReadsFirstPointers()
    {
        // StateBalanceAdvice (tag 15) taskIds as a composite list of one-pointer structs.
        var frame = Frame(Message(15, 0, 2, 0, List(0, WirePointer.ElementComposite, 1), Struct(1, 0, 1), List(0, WirePointer.ElementByte, 2), Bytes("id")));
        Assert.Equal("id"u8.ToArray(), Assert.Single(Assert.IsType<StateBalanceAdvice>(MessageCodec.Decode(frame)).TaskIds));
    }

    private static void WalkStructs(byte[] frame, ReaderOptions options)
    {
        var root = MessageRoot.Open(frame, options);
        Walk(root.GetRoot());

        static void Walk(StructReader reader)
        {
            for (var i = 0; i < reader.PointerCount; i++)
            {
                Walk(reader.ReadStruct(i));
            }
        }
    }

    private static void WalkLists(byte[] frame, ReaderOptions options)
    {
        var root = MessageRoot.Open(frame, options);
        Walk(root.GetRoot().ReadList(0));

        static void Walk(ListReader list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                Walk(list.GetStruct(i).ReadList(0));
            }
        }
    }
}
