using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;

namespace Scaler.Worker.Tests;

/// <summary>Our worker's wire choices checked against the reference worker's capture.</summary>
public sealed partial class GoldenWorkerTests
{
    [Fact]
    public void Identity_HasTheShapeOfTheReferenceWorkersIdentity()
    {
        var (identity, _) = Read("worker-to-scheduler.bin");

        Assert.Matches(FixedWorkerIdentity(), identity);
        Assert.Matches(FixedWorkerIdentity(), WorkerIdentity.Generate(WorkerIdentity.NewWorkerName("FIX")));
    }

    [Fact]
    public void ResultObject_IsAnnouncedWithTheReferencesNameThenReported()
    {
        var (_, messages) = Read("worker-to-scheduler.bin");
        var index = messages.FindIndex(m => m is ObjectInstruction);
        var instruction = (ObjectInstruction)messages[index];
        var result = Assert.IsType<TaskResult>(messages[index + 1]);

        var id = ObjectId.FromBytes(instruction.ObjectMetadata.ObjectIds[0]);
        Assert.Equal(Encoding.UTF8.GetString(instruction.ObjectMetadata.ObjectNames[0]), WorkerAgent.ResultObjectName(id));
        Assert.Equal(result.Results[0], instruction.ObjectMetadata.ObjectIds[0]);
        Assert.True(ProfileResult.TryRead(result.Metadata, out var profile));
        Assert.True(profile.DurationSeconds is > 0 and < 60);
        Assert.Equal(result.Metadata, profile.ToBytes());
    }

    [Fact]
    public void TaskMetadata_OfTheReferenceClientReadsAsDefaultFlags()
    {
        var (_, messages) = Read("scheduler-to-worker.bin");
        var task = messages.OfType<TaskMessage>().First();

        Assert.Equal(new TaskFlags(false, 0, false), TaskFlags.Read(task.Metadata));
        Assert.Equal(task.Metadata, new TaskFlags(false, 0, false).ToBytes());
    }

    private static (string Identity, List<IMessage> Messages) Read(string file)
    {
        var buffer = new ReadOnlySequence<byte>(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", file)));
        Assert.True(YmqFrameReader.TryReadMagic(ref buffer));
        Assert.True(YmqFrameReader.TryReadFrame(ref buffer, 1 << 20, out var identity));
        var messages = new List<IMessage>();
        while (YmqFrameReader.TryReadFrame(ref buffer, 1 << 20, out var payload))
        {
            messages.Add(MessageCodec.Decode(payload.ToArray()));
        }

        return (Encoding.UTF8.GetString(identity.ToArray()), messages);
    }

    [GeneratedRegex(@"^Worker\|FIX\|[0-9a-f]{32}\|[0-9a-f]{32}$")]
    private static partial Regex FixedWorkerIdentity();
}
