using System.Buffers.Binary;
using Scaler.Protocol.Messages;
using static Scaler.Scheduler.Tests.Runtime.SchedulerHarness;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>
/// Replays what the reference client and worker sent to the reference scheduler (shared/golden) against ours, and
/// checks that the worker and the client get what the reference scheduler sent them.
/// </summary>
public sealed class GoldenReplayTests
{
    private static List<byte[]> ReadStream(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", name));
        Assert.Equal("YMQ\u0001"u8.ToArray(), bytes[..4]);
        var frames = new List<byte[]>();
        var offset = 4;
        while (offset < bytes.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
            offset += 8;
            frames.Add(bytes[offset..(offset + length)]);
            offset += length;
        }

        return frames;
    }

    private static List<IMessage> Messages(List<byte[]> frames) => frames.Skip(1).Select(frame => MessageCodec.Decode(frame)).ToList();

    [Fact]
    public async Task ReferenceConversation_GetsTheReferenceAnswers()
    {
        var clientFrames = ReadStream("client-to-scheduler.bin");
        var workerFrames = ReadStream("worker-to-scheduler.bin");
        var toClient = Messages(ReadStream("scheduler-to-client.bin"));
        var toWorker = Messages(ReadStream("scheduler-to-worker.bin"));
        var clientSent = Messages(clientFrames);
        var workerSent = Messages(workerFrames);

        // The reference deletes a departed client's objects at once (it never reads --object-retention-seconds).
        await using var harness = await SchedulerHarness.StartAsync(options => options with { ObjectRetention = TimeSpan.Zero });
        var client = await harness.ConnectAsync(System.Text.Encoding.UTF8.GetString(clientFrames[0]));
        var worker = await harness.ConnectAsync(System.Text.Encoding.UTF8.GetString(workerFrames[0]));

        await worker.Send(workerSent[0]);
        await worker.Expect<WorkerHeartbeatEcho>();
        foreach (var message in clientSent.Where(message => message is not ClientDisconnect))
        {
            await client.Send(message);
        }

        await client.Expect<ClientHeartbeatEcho>();
        await client.Expect<ClientHeartbeatEcho>();

        var expectedTasks = toWorker.OfType<TaskMessage>().ToList();
        foreach (var expected in expectedTasks)
        {
            var task = await worker.Expect<TaskMessage>();
            Assert.Equal(expected.TaskId, task.TaskId);
            Assert.Equal(expected.FuncObjectId, task.FuncObjectId);
            Assert.Equal(expected.FunctionArgs.Select(argument => argument.Data), task.FunctionArgs.Select(argument => argument.Data));
        }

        foreach (var message in workerSent.Where(message => message is ObjectInstruction or TaskResult))
        {
            await worker.Send(message);
        }

        foreach (var expected in toClient.OfType<TaskResult>())
        {
            var result = await client.Expect<TaskResult>();
            Assert.Equal(expected.TaskId, result.TaskId);
            Assert.Equal(expected.ResultType, result.ResultType);
            Assert.Equal(expected.Metadata, result.Metadata);
            Assert.Equal(expected.Results, result.Results);
        }

        // The client leaves: every object it and the worker created for it is released, in one instruction.
        await client.Send(clientSent.OfType<ClientDisconnect>().Single());
        var delete = await worker.Expect<ObjectInstruction>();
        var expectedDelete = toWorker.OfType<ObjectInstruction>().Single();
        Assert.Equal(expectedDelete.InstructionType, delete.InstructionType);
        Assert.Empty(delete.ObjectUser);
        Assert.Equal(
            expectedDelete.ObjectMetadata.ObjectIds.Select(Convert.ToHexString).Order(StringComparer.Ordinal),
            delete.ObjectMetadata.ObjectIds.Select(Convert.ToHexString).Order(StringComparer.Ordinal));
    }
}
