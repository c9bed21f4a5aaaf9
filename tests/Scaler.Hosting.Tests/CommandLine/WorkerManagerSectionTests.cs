using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;

namespace Scaler.Hosting.Tests.CommandLine;

public sealed class WorkerManagerSectionTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static SectionCommandLine<NativeWorkerManagerOptions> NativeCommandLine() => new(
        "baremetal_native",
        "test",
        NativeWorkerManagerOptions.Section,
        (root, file) => (WorkerManagerTypes.FindSingle(root, NativeWorkerManagerOptions.TypeName, file), file));

    [Fact]
    public void Bind_NativeFromMatchingArrayEntry_CommandLineWins()
    {
        var config = _files.Write("c.toml", """
            [[worker_manager]]
            type = "symphony"
            worker_manager_id = "sym"
            service_name = "svc"

            [[worker_manager]]
            type = "baremetal_native"
            mode = "fixed"
            max_task_concurrency = 8
            worker_manager_id = "native-1"
            per_worker_capabilities = "linux,cpu=8"
            task_timeout_seconds = 600
            """);
        var commandLine = NativeCommandLine();

        var options = commandLine.Bind(commandLine.Command.Parse($"tcp://127.0.0.1:6378 -c {config} -mtc 4 -hps"));

        Assert.Equal("baremetal_native", options.Type);
        Assert.Equal(NativeWorkerManagerMode.Fixed, options.Mode);
        Assert.Equal(4, options.Manager.MaxTaskConcurrency);
        Assert.Equal("native-1", options.Manager.WorkerManagerId);
        Assert.Equal("tcp://127.0.0.1:6378", options.Manager.EffectiveWorkerSchedulerAddress);
        Assert.Equal(-1, options.Worker.Capabilities["linux"]);
        Assert.Equal(8, options.Worker.Capabilities["cpu"]);
        Assert.Equal(600, options.Worker.TaskTimeoutSeconds);
        Assert.True(options.Worker.HardProcessorSuspend);
        Assert.Equal(2, options.Worker.HeartbeatIntervalSeconds);
    }

    [Fact]
    public void Bind_NoEntryOfThatType_IsAnError()
    {
        var config = _files.Write("c.toml", "[[worker_manager]]\ntype = \"symphony\"\n");
        var commandLine = NativeCommandLine();

        var error = Assert.Throws<ConfigurationException>(
            () => commandLine.Bind(commandLine.Command.Parse($"tcp://127.0.0.1:1 -wmi x -c {config}")));

        Assert.Contains("type = \"baremetal_native\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_TwoEntriesOfThatType_IsAnError()
    {
        var config = _files.Write("c.toml", "[[worker_manager]]\ntype = \"baremetal_native\"\n[[worker_manager]]\ntype = \"baremetal_native\"\n");
        var commandLine = NativeCommandLine();

        var error = Assert.Throws<ConfigurationException>(
            () => commandLine.Bind(commandLine.Command.Parse($"tcp://127.0.0.1:1 -wmi x -c {config}")));

        Assert.Contains("expected exactly one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_FixedModeWithUnlimitedConcurrency_IsAnError()
    {
        var commandLine = NativeCommandLine();

        var error = Assert.Throws<ConfigurationException>(
            () => commandLine.Bind(commandLine.Command.Parse("tcp://127.0.0.1:1 -wmi x --mode fixed -mtc -1")));

        Assert.Contains("fixed mode", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadCapabilities_IsAParseError()
    {
        var commandLine = NativeCommandLine();

        var parseResult = commandLine.Command.Parse("tcp://127.0.0.1:1 -wmi x -pwc cpu=four");

        Assert.Contains("cpu", Assert.Single(parseResult.Errors).Message, StringComparison.Ordinal);
    }
}
