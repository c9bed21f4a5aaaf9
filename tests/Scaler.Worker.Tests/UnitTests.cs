using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;
using Scaler.Worker.Hosting;
using Scaler.Worker.Processors;

namespace Scaler.Worker.Tests;

public sealed class UnitTests
{
    [Fact]
    public void TaskFlags_RoundTrip_AndOddMetadataMeansDefaults()
    {
        var flags = new TaskFlags(true, 7, true);
        Assert.Equal(flags, TaskFlags.Read(flags.ToBytes()));
        Assert.Equal(TaskFlags.Default, TaskFlags.Read([]));
        Assert.Equal(TaskFlags.Default, TaskFlags.Read([1, 2, 3]));
        Assert.Equal(0, TaskFlags.Read(new TaskFlags(true, -4, false).ToBytes()).Priority);
    }

    [Fact]
    public void TaskQueue_GivesHigherPriorityFirst_ThenArrivalOrder_AndSkipsRemoved()
    {
        var queue = new TaskQueue();
        foreach (var (key, priority) in new[] { ("a", 0), ("b", 3), ("c", 3), ("d", 1), ("e", 0) })
        {
            queue.Enqueue(key, new TaskMessage { Metadata = new TaskFlags(true, priority, false).ToBytes() });
        }

        Assert.True(queue.Remove("c"));
        Assert.Equal(4, queue.Count);
        var order = new List<string>();
        while (queue.TryDequeue(out var key, out _))
        {
            order.Add(key);
        }

        Assert.Equal(["b", "d", "a", "e"], order);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void TaskQueue_PeekFirst_GivesTheDequeueOrder_AndLeavesTheQueueAsItWas()
    {
        var queue = new TaskQueue();
        foreach (var (key, priority) in new[] { ("a", 0), ("b", 3), ("c", 3), ("d", 1), ("e", 0) })
        {
            queue.Enqueue(key, new TaskMessage { Metadata = new TaskFlags(true, priority, false).ToBytes() });
        }

        queue.Remove("b");

        Assert.Equal(["c", "d"], queue.PeekFirst(2).Select(p => p.TaskKey));
        Assert.Equal(["c", "d", "a", "e"], queue.PeekFirst(10).Select(p => p.TaskKey));
        var order = new List<string>();
        while (queue.TryDequeue(out var key, out _))
        {
            order.Add(key);
        }

        Assert.Equal(["c", "d", "a", "e"], order);
        Assert.Empty(queue.PeekFirst(3));
    }

    [Fact]
    public async Task PipeFrames_RoundTripKinds_InOneWrite_AndRefuseUnknownKinds()
    {
        using var stream = new MemoryStream();
        var task = new TaskMessage { TaskId = [7, 7] };
        await PipeFrames.WriteAsync(
            stream, [new PipeFrame(PipeFrameKind.Message, task), new PipeFrame(PipeFrameKind.PrefetchHint, new ProcessorInitialized())], CancellationToken.None);
        stream.Position = 0;

        var first = await PipeFrames.ReadAsync(stream, CancellationToken.None);
        var second = await PipeFrames.ReadAsync(stream, CancellationToken.None);

        Assert.Equal(PipeFrameKind.Message, first!.Value.Kind);
        Assert.Equal(task.TaskId, Assert.IsType<TaskMessage>(first.Value.Message).TaskId);
        Assert.Equal(PipeFrameKind.PrefetchHint, second!.Value.Kind);
        Assert.IsType<ProcessorInitialized>(second.Value.Message);
        Assert.Null(await PipeFrames.ReadAsync(stream, CancellationToken.None));

        var bytes = stream.ToArray();
        bytes[4] = 9;
        await Assert.ThrowsAsync<InvalidDataException>(async () => await PipeFrames.ReadAsync(new MemoryStream(bytes), CancellationToken.None));
    }

    [Fact]
    public void WorkerProcessSettings_RoundTripThroughTheCommandLine()
    {
        var settings = new WorkerProcessSettings
        {
            SchedulerAddress = "tcp://127.0.0.1:2345",
            ObjectStorageAddress = "tcp://127.0.0.1:2346",
            Name = "NAT|abc",
            Capabilities = "linux,cpu=4",
            TaskQueueSize = 9,
            HeartbeatIntervalSeconds = 3,
            TaskTimeoutSeconds = 4,
            DeathTimeoutSeconds = 5,
            WorkerManagerId = "wm 1",
            LogLevel = "Debug",
            LogPaths = "/dev/stderr,/tmp/x.log",
        };

        var arguments = settings.ToArguments();
        Assert.Equal(WorkerProcessSettings.SubCommand, arguments[0]);
        Assert.Equal(settings, WorkerProcessSettings.Parse(arguments.Skip(1)));
        Assert.Throws<FormatException>(() => WorkerProcessSettings.Parse(["name=x"]));
        Assert.Throws<FormatException>(() => WorkerProcessSettings.Parse(["scheduler=tcp://h:1", "name=x", "queue=many"]));
    }

    [Fact]
    public void Capabilities_ParseAndFormat_AsTheCliWritesThem()
    {
        var parsed = WorkerProcessSettings.ParseCapabilities("linux, cpu=4");
        Assert.Equal(-1, parsed["linux"]);
        Assert.Equal(4, parsed["cpu"]);
        Assert.Equal(parsed, WorkerProcessSettings.ParseCapabilities(WorkerProcessSettings.FormatCapabilities(parsed)));
    }

    [Fact]
    public void AgentOptions_FromSettings_GetAWorkerIdentityAndTheSettingsValues()
    {
        var options = new WorkerProcessSettings { SchedulerAddress = "tcp://127.0.0.1:1", Name = "FIX|0123", TaskTimeoutSeconds = 3 }.ToAgentOptions();
        Assert.StartsWith("Worker|FIX|0123|", options.Identity, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(3), options.TaskTimeout);
        Assert.Null(options.ObjectStorageAddress);
    }
}
