using Scaler.Identity;
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
            queue.Enqueue(TaskId.FromString(key), new TaskMessage { Metadata = new TaskFlags(true, priority, false).ToBytes() });
        }

        Assert.True(queue.Remove(TaskId.FromString("c")));
        Assert.Equal(4, queue.Count);
        var order = new List<string>();
        while (queue.TryDequeue(out var key, out _))
        {
            order.Add(key.ToString());
        }

        Assert.Equal(["b", "d", "a", "e"], order);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void TaskQueue_EnqueueFront_GoesAheadOfItsPriority_ButNotOfHigherOnes()
    {
        var queue = new TaskQueue();
        foreach (var (key, priority) in new[] { ("a", 0), ("b", 3), ("c", 0) })
        {
            queue.Enqueue(TaskId.FromString(key), new TaskMessage { Metadata = new TaskFlags(true, priority, false).ToBytes() });
        }

        queue.EnqueueFront(TaskId.FromString("back"), new TaskMessage { Metadata = new TaskFlags(true, 0, false).ToBytes() });
        var order = new List<string>();
        while (queue.TryDequeue(out var key, out _))
        {
            order.Add(key.ToString());
        }

        Assert.Equal(["b", "back", "a", "c"], order);
    }

    [Fact]
    public async Task PipeFrames_RoundTrip_AndRefuseOversizedOrUndecodableFrames()
    {
        using var stream = new MemoryStream();
        var task = new TaskMessage { TaskId = [7, 7] };
        await PipeFrames.WriteAsync(stream, task, CancellationToken.None);
        await PipeFrames.WriteAsync(stream, new ProcessorInitialized(), CancellationToken.None);
        stream.Position = 0;

        Assert.Equal(task.TaskId, Assert.IsType<TaskMessage>(await PipeFrames.ReadAsync(stream, CancellationToken.None)).TaskId);
        Assert.IsType<ProcessorInitialized>(await PipeFrames.ReadAsync(stream, CancellationToken.None));
        Assert.Null(await PipeFrames.ReadAsync(stream, CancellationToken.None));

        byte[] oversized = [0xff, 0xff, 0xff, 0x7f];
        await Assert.ThrowsAsync<InvalidDataException>(async () => await PipeFrames.ReadAsync(new MemoryStream(oversized), CancellationToken.None));
        byte[] garbage = [4, 0, 0, 0, 1, 2, 3, 4];
        await Assert.ThrowsAsync<InvalidDataException>(async () => await PipeFrames.ReadAsync(new MemoryStream(garbage), CancellationToken.None));
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
    public void WorkerProcessSettings_PythonExecutable_RoundTrips_AndIsWrittenOnlyWhenSet()
    {
        var without = new WorkerProcessSettings { SchedulerAddress = "tcp://127.0.0.1:1", Name = "NAT|1" };
        var with = without with { PythonExecutable = "/opt/my env/bin/python3" };

        Assert.DoesNotContain(without.ToArguments(), a => a.StartsWith("python-executable=", StringComparison.Ordinal));
        Assert.Contains("python-executable=/opt/my env/bin/python3", with.ToArguments());
        Assert.Null(WorkerProcessSettings.Parse(without.ToArguments().Skip(1)).PythonExecutable);
        Assert.Equal(with, WorkerProcessSettings.Parse(with.ToArguments().Skip(1)));
    }

    [Fact]
    public void ProcessorArguments_CarryThePythonExecutableAfterThePositionalsOnlyWhenGiven()
    {
        Assert.Equal(["processor", "tcp://127.0.0.1:2", "Debug"], ProcessorArguments.Build("tcp://127.0.0.1:2", "Debug"));
        Assert.Equal(["processor", "tcp://127.0.0.1:2", "Debug"], ProcessorArguments.Build("tcp://127.0.0.1:2", "Debug", null));
        Assert.Equal(
            ["processor", "tcp://127.0.0.1:2", "Debug", "--python-executable", "/usr/bin/python3"],
            ProcessorArguments.Build("tcp://127.0.0.1:2", "Debug", "/usr/bin/python3"));
    }

    [Fact]
    public void WorkerProcessSettings_TlsFiles_RoundTrip_ReachTheAgent_AndAreWrittenOnlyWhenSet()
    {
        var without = new WorkerProcessSettings { SchedulerAddress = "tls://127.0.0.1:1", Name = "NAT|1" };
        var tls = new IO.Tls.TlsSettings { CertificatePath = "/pki/worker.pem", KeyPath = "/pki/worker key.pem", CaPath = "/pki/ca.pem" };
        var with = without with { Tls = tls };

        Assert.DoesNotContain(without.ToArguments(), a => a.StartsWith("tls-", StringComparison.Ordinal));
        Assert.Contains("tls-key=/pki/worker key.pem", with.ToArguments());
        Assert.Equal(with, WorkerProcessSettings.Parse(with.ToArguments().Skip(1)));
        Assert.Equal(IO.Tls.TlsSettings.None, WorkerProcessSettings.Parse(without.ToArguments().Skip(1)).Tls);
        Assert.Equal(tls, with.ToAgentOptions().Tls);
    }

    [Fact]
    public void ProcessorArguments_CarryTheWorkersTlsFiles()
    {
        var tls = new IO.Tls.TlsSettings { CertificatePath = "w.pem", KeyPath = "w.key", CaPath = "ca.pem" };

        Assert.Equal(
            ["processor", "tls://127.0.0.1:2", "Debug", "--tls-cert", "w.pem", "--tls-key", "w.key", "--tls-ca", "ca.pem"],
            ProcessorArguments.Build("tls://127.0.0.1:2", "Debug", tls: tls));
        Assert.Equal(["processor", "tcp://127.0.0.1:2", "Debug"], ProcessorArguments.Build("tcp://127.0.0.1:2", "Debug", tls: IO.Tls.TlsSettings.None));
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
