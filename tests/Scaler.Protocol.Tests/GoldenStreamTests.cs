using System.Buffers.Binary;
using System.Text;
using Scaler.Protocol.Messages;
using Scaler.Protocol.Tests.Support;

namespace Scaler.Protocol.Tests;

/// <summary>
/// Byte streams captured from the reference implementation (tests/Scaler.Protocol.Tests/Golden, see its listing.txt):
/// magic "YMQ\x01", then u64-LE length-prefixed frames, frame 0 being the sender's identity.
/// </summary>
public sealed class GoldenStreamTests
{
    private static List<byte[]> Frames(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepoPaths.Golden, file));
        Assert.Equal("YMQ\x01"u8.ToArray(), bytes[..4]);
        var frames = new List<byte[]>();
        var offset = 4;
        while (offset < bytes.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset, 8));
            frames.Add(bytes.AsSpan(offset + 8, length).ToArray());
            offset += 8 + length;
        }

        Assert.Equal(bytes.Length, offset);
        return frames;
    }

    private static List<IMessage> SchedulerMessages(string file) =>
        Frames(file).Skip(1).Select(f => MessageCodec.Decode(f)).ToList();

    [Fact]
    public void ClientToScheduler_DecodesEveryFrame()
    {
        var frames = Frames("client-to-scheduler.bin");
        Assert.StartsWith("Client|", Encoding.ASCII.GetString(frames[0]), StringComparison.Ordinal);
        var messages = SchedulerMessages("client-to-scheduler.bin");

        Assert.Equal(12, messages.Count);
        Assert.Equal(
            new[] { MessageKind.ClientHeartbeat, MessageKind.ObjectInstruction, MessageKind.Task, MessageKind.ClientDisconnect }.ToHashSet(),
            messages.Select(m => m.Kind).ToHashSet());
        Assert.Equal(MessageKind.ClientDisconnect, messages[^1].Kind);
        Assert.Equal(DisconnectType.Disconnect, ((ClientDisconnect)messages[^1]).DisconnectType);

        var tasks = messages.OfType<TaskMessage>().ToList();
        Assert.Equal(5, tasks.Count);
        Assert.All(tasks, t =>
        {
            Assert.Equal(16, t.TaskId.Length);
            Assert.Equal(32, t.FuncObjectId.Length);
            Assert.Equal(ArgumentType.ObjectID, Assert.Single(t.FunctionArgs).Type);
            Assert.Equal(32, t.FunctionArgs[0].Data.Length);
            Assert.Empty(t.Capabilities);
            Assert.Equal(frames[0], t.Source);
        });

        var instruction = messages.OfType<ObjectInstruction>().First();
        Assert.Equal(ObjectInstructionType.Create, instruction.InstructionType);
        Assert.Equal([ObjectContentType.Serializer], instruction.ObjectMetadata.ObjectTypes);
        Assert.Equal("serializer"u8.ToArray(), instruction.ObjectMetadata.ObjectNames[0]);
        Assert.All(messages.OfType<ObjectInstruction>().SelectMany(i => i.ObjectMetadata.ObjectIds), id => Assert.Equal(32, id.Length));
    }

    [Fact]
    public void SchedulerToClient_CarriesEchoesAndResults()
    {
        var messages = SchedulerMessages("scheduler-to-client.bin");
        var echo = Assert.IsType<ClientHeartbeatEcho>(messages[0]);
        Assert.Equal("127.0.0.1", echo.ObjectStorageAddress.Host);
        Assert.Equal(38517, echo.ObjectStorageAddress.Port);
        Assert.Equal("tcp", echo.ObjectStorageAddress.Scheme);

        var results = messages.OfType<TaskResult>().ToList();
        Assert.Equal(5, results.Count);
        Assert.Equal(4, results.Count(r => r.ResultType == TaskResultType.Success));
        Assert.Equal(TaskResultType.Failed, results[^1].ResultType);
        Assert.All(results, r => Assert.Equal(32, Assert.Single(r.Results).Length));
    }

    [Fact]
    public void WorkerToScheduler_CarriesHeartbeatsOfTheGoldenWorkerManager()
    {
        var heartbeats = SchedulerMessages("worker-to-scheduler.bin").OfType<WorkerHeartbeat>().ToList();
        Assert.Equal(4, heartbeats.Count);
        Assert.All(heartbeats, h =>
        {
            Assert.Equal("wm-golden"u8.ToArray(), h.WorkerManagerID);
            Assert.Equal(1000u, h.QueueSize);
            Assert.Equal(25276510208ul, h.MemLimit);
            Assert.False(h.TaskLock);
        });
        Assert.Empty(heartbeats[0].Processors);
        var processor = Assert.Single(heartbeats[1].Processors);
        Assert.Equal(23357u, processor.Pid);
        Assert.True(processor.Initialized);
        Assert.False(processor.HasTask);
        Assert.Equal(631u, heartbeats[1].LatencyUS);
    }

    [Fact]
    public void SchedulerToWorker_CarriesTasksAndADeleteInstruction()
    {
        var messages = SchedulerMessages("scheduler-to-worker.bin");
        Assert.Equal(10, messages.Count);
        Assert.Equal(5, messages.OfType<TaskMessage>().Count());
        Assert.Equal(4, messages.OfType<WorkerHeartbeatEcho>().Count());
        var delete = messages.OfType<ObjectInstruction>().Single();
        Assert.Equal(ObjectInstructionType.Delete, delete.InstructionType);
        Assert.Empty(delete.ObjectUser);
        Assert.Equal(13, delete.ObjectMetadata.ObjectIds.Count);
    }

    [Theory]
    [InlineData("client-to-object-storage.bin", 18)]
    [InlineData("processor-to-object-storage.bin", 17)]
    [InlineData("scheduler-to-object-storage.bin", 13)]
    public void RequestStreams_DecodeEveryHeader(string file, int headers)
    {
        var decoded = WalkObjectStorage(file, f => ObjectStorageCodec.DecodeRequestHeader(f), h =>
            h.RequestType is ObjectRequestType.SetObject or ObjectRequestType.DuplicateObjectID ? h.PayloadLength : 0);
        Assert.Equal(headers, decoded.Count);
        Assert.All(decoded.Where(h => h.PayloadLength != 0 && h.RequestType != ObjectRequestType.SetObject), h =>
            Assert.Equal(ObjectRequestType.GetObject, h.RequestType));
        Assert.All(decoded.Where(h => h.RequestType == ObjectRequestType.GetObject), h => Assert.Equal(ulong.MaxValue, h.PayloadLength));
    }

    [Theory]
    [InlineData("object-storage-to-client.bin", 18)]
    [InlineData("object-storage-to-processor.bin", 17)]
    [InlineData("object-storage-to-scheduler.bin", 13)]
    public void ResponseStreams_DecodeEveryHeader(string file, int headers)
    {
        var decoded = WalkObjectStorage(file, f => ObjectStorageCodec.DecodeResponseHeader(f), h =>
            h.ResponseType is ObjectResponseType.GetOK or ObjectResponseType.InfoGetTotalOK ? h.PayloadLength : 0);
        Assert.Equal(headers, decoded.Count);
        Assert.All(decoded, h => Assert.Equal(1782735204749930075ul, h.ObjectID.Field0));
    }

    [Fact]
    public void ObjectStorageToScheduler_HasDeleteOutcomes()
    {
        var decoded = WalkObjectStorage("object-storage-to-scheduler.bin", f => ObjectStorageCodec.DecodeResponseHeader(f), _ => 0);
        Assert.Equal(8, decoded.Count(h => h.ResponseType == ObjectResponseType.DelOK));
        Assert.Equal(5, decoded.Count(h => h.ResponseType == ObjectResponseType.DelNotExists));
        Assert.Equal(Enumerable.Range(0, 13).Select(i => (ulong)i), decoded.Select(h => h.ResponseID));
    }

    private static List<T> WalkObjectStorage<T>(string file, Func<byte[], T> decode, Func<T, ulong> payload)
    {
        var frames = Frames(file);
        var headers = new List<T>();
        var i = 1;
        while (i < frames.Count)
        {
            var header = decode(frames[i]);
            headers.Add(header);
            var length = payload(header);
            i++;
            if (length != 0)
            {
                Assert.True(i < frames.Count, $"payload frame of {length} bytes missing");
                Assert.Equal(length, (ulong)frames[i].Length);

                i++;
            }
        }

        return headers;
    }
}
