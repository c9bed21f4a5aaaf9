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
        (root, file) => (WorkerManagerEntries.FindSingle(root, NativeWorkerManagerOptions.TypeName, file), file));

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

    private static SectionCommandLine<SymphonyWorkerManagerOptions> SymphonyCommandLine() => new(
        "symphony",
        "test",
        SymphonyWorkerManagerOptions.Section,
        (root, file) => (WorkerManagerEntries.FindSingle(root, SymphonyWorkerManagerOptions.TypeName, file), file));

    [Fact]
    public void Bind_WithoutWorkerManagerId_DerivesTypeHostnamePid()
    {
        var native = NativeCommandLine();
        var symphony = SymphonyCommandLine();

        var nativeOptions = native.Bind(native.Command.Parse("tcp://127.0.0.1:8516 --mode fixed -mtc 2"));
        var symphonyOptions = symphony.Bind(
            symphony.Command.Parse("tcp://127.0.0.1:8516 --service-name MyScalerService --max-task-concurrency 8"));

        Assert.Equal($"baremetal_native-{Environment.MachineName}-{Environment.ProcessId}", nativeOptions.Manager.WorkerManagerId);
        Assert.True(nativeOptions.Manager.WorkerManagerIdDerived);
        Assert.Equal($"symphony-{Environment.MachineName}-{Environment.ProcessId}", symphonyOptions.Manager.WorkerManagerId);
        Assert.True(symphonyOptions.Manager.WorkerManagerIdDerived);
        Assert.Equal(symphonyOptions.Manager.WorkerManagerId, WorkerManagerCommonOptions.DefaultWorkerManagerId("symphony"));
    }

    [Fact]
    public void Bind_WorkerManagerIdFromFlagOrToml_IsKeptAsGiven()
    {
        var config = _files.Write("c.toml", "[[worker_manager]]\ntype = \"baremetal_native\"\nworker_manager_id = \"from-file\"\n");
        var commandLine = NativeCommandLine();

        var fromFile = commandLine.Bind(commandLine.Command.Parse($"tcp://127.0.0.1:1 -c {config}"));
        var fromFlag = commandLine.Bind(commandLine.Command.Parse($"tcp://127.0.0.1:1 -c {config} --worker-manager-id from-flag"));
        var fromAlias = commandLine.Bind(commandLine.Command.Parse("tcp://127.0.0.1:1 -wmi from-alias"));

        Assert.Equal("from-file", fromFile.Manager.WorkerManagerId);
        Assert.False(fromFile.Manager.WorkerManagerIdDerived);
        Assert.Equal("from-flag", fromFlag.Manager.WorkerManagerId);
        Assert.False(fromFlag.Manager.WorkerManagerIdDerived);
        Assert.Equal("from-alias", fromAlias.Manager.WorkerManagerId);
    }

    [Fact]
    public void Bind_EmptyWorkerManagerId_IsStillAnError()
    {
        var config = _files.Write("c.toml", "[[worker_manager]]\ntype = \"baremetal_native\"\nworker_manager_id = \"\"\n");
        var commandLine = NativeCommandLine();

        var fromFlag = Assert.Throws<ConfigurationException>(
            () => commandLine.Bind(commandLine.Command.Parse(["tcp://127.0.0.1:1", "-wmi", ""])));
        var fromFile = Assert.Throws<ConfigurationException>(
            () => commandLine.Bind(commandLine.Command.Parse($"tcp://127.0.0.1:1 -c {config}")));

        Assert.Contains("--worker-manager-id/-wmi", fromFlag.Message, StringComparison.Ordinal);
        Assert.Contains("must not be empty", fromFlag.Message, StringComparison.Ordinal);
        Assert.Contains("'worker_manager_id'", fromFile.Message, StringComparison.Ordinal);
        Assert.Contains("must not be empty", fromFile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_WorkerManagerId_SaysWhatTheDefaultIs()
    {
        foreach (var command in new[] { NativeCommandLine().Command, SymphonyCommandLine().Command })
        {
            var option = Assert.Single(command.Options, o => o.Name == "--worker-manager-id");

            Assert.Contains("-wmi", option.Aliases);
            Assert.False(option.Required);
            Assert.Contains("(default: TYPE-HOSTNAME-PID, unique per manager process)", option.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bind_PythonExecutable_FromFlagOrToml_DefaultNull()
    {
        var flat = _files.Write("flat.toml", "[[worker_manager]]\ntype = \"baremetal_native\"\npython_executable = \"/opt/py/bin/python3\"\n");
        var grouped = _files.Write("grouped.toml", """
            [[worker_manager]]
            type = "symphony"
            service_name = "svc"

            [worker_manager.worker_config]
            python_executable = "/opt/conda/bin/python"
            """);
        var native = NativeCommandLine();
        var symphony = SymphonyCommandLine();

        var none = native.Bind(native.Command.Parse("tcp://127.0.0.1:1"));
        var fromFlag = native.Bind(native.Command.Parse("tcp://127.0.0.1:1 --python-executable /usr/bin/python3.12"));
        var fromFile = native.Bind(native.Command.Parse($"tcp://127.0.0.1:1 -c {flat}"));
        var flagOverFile = native.Bind(native.Command.Parse($"tcp://127.0.0.1:1 -c {flat} --python-executable python3.11"));
        var fromGroup = symphony.Bind(symphony.Command.Parse($"tcp://127.0.0.1:1 -c {grouped}"));

        Assert.Null(none.Worker.PythonExecutable);
        Assert.Equal("/usr/bin/python3.12", fromFlag.Worker.PythonExecutable);
        Assert.Equal("/opt/py/bin/python3", fromFile.Worker.PythonExecutable);
        Assert.Equal("python3.11", flagOverFile.Worker.PythonExecutable);
        Assert.Equal("/opt/conda/bin/python", fromGroup.Worker.PythonExecutable);
    }

    [Fact]
    public void Bind_EmptyPythonExecutable_IsAnError()
    {
        var config = _files.Write("c.toml", "[[worker_manager]]\ntype = \"baremetal_native\"\npython_executable = \"\"\n");
        var commandLine = NativeCommandLine();

        var error = Assert.Throws<ConfigurationException>(() => commandLine.Bind(commandLine.Command.Parse($"tcp://127.0.0.1:1 -c {config}")));

        Assert.Contains("'python_executable'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_PythonExecutable_SaysWhatItNeedsAndItsDefault()
    {
        foreach (var command in new[] { NativeCommandLine().Command, SymphonyCommandLine().Command })
        {
            var option = Assert.Single(command.Options, o => o.Name == "--python-executable");

            Assert.Empty(option.Aliases);
            Assert.Equal(
                "Python interpreter that runs Python tasks (needs the cloudpickle package, and tblib for tracebacks; "
                + "default: $SCALER_PYTHON_EXECUTABLE, else python3 on PATH)",
                option.Description);
        }
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
