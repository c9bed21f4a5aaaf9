using System.Diagnostics;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Scaler.Python.Runner;
using Scaler.Symphony.Local;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

public sealed class SymphonyCommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("symwm-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Bind_UserPageCommandLine_TakesServiceNameAndConcurrency()
    {
        var options = SymphonyCluster.Bind("tcp://127.0.0.1:8516 -wmi wm --service-name MyScalerService --max-task-concurrency 8");

        Assert.Equal("MyScalerService", options.ServiceName);
        Assert.Equal(8, options.Manager.MaxTaskConcurrency);
        Assert.Equal(SymphonyWorkerManagerOptions.DefaultSessionType, options.SessionType);
        Assert.Equal(SymphonySoamBackend.Auto, options.SoamBackend);
        Assert.Null(options.SoamLibraryPath);
    }

    [Fact]
    public void Bind_UserPageCommandLineAsWritten_DerivesTheWorkerManagerId()
    {
        // Exactly the user page's command: no -wmi.
        var options = SymphonyCluster.Bind("tcp://127.0.0.1:8516 --service-name MyScalerService --max-task-concurrency 8");

        Assert.Equal("MyScalerService", options.ServiceName);
        Assert.Equal(8, options.Manager.MaxTaskConcurrency);
        Assert.Equal($"symphony-{Environment.MachineName}-{Environment.ProcessId}", options.Manager.WorkerManagerId);
        Assert.True(options.Manager.WorkerManagerIdDerived);
    }

    [Fact]
    public void Bind_TomlWithoutWorkerManagerId_DerivesIt_AndTheFlagStillWins()
    {
        var config = Path.Combine(_directory, "no-id.toml");
        File.WriteAllText(config, """
            [[worker_manager]]
            type = "symphony"
            scheduler_address = "tcp://127.0.0.1:8516"
            service_name = "MyScalerService"
            """);

        var derived = SymphonyCluster.Bind(string.Empty, config);
        var explicitly = SymphonyCluster.Bind("-wmi wm-explicit", config);

        Assert.Equal(WorkerManagerCommonOptions.DefaultWorkerManagerId("symphony"), derived.Manager.WorkerManagerId);
        Assert.Equal("wm-explicit", explicitly.Manager.WorkerManagerId);
        Assert.False(explicitly.Manager.WorkerManagerIdDerived);
    }

    [Fact]
    public void Bind_EmptyWorkerManagerId_IsStillAnError()
    {
        var config = Path.Combine(_directory, "empty-id.toml");
        File.WriteAllText(config, "[[worker_manager]]\ntype = \"symphony\"\nworker_manager_id = \"\"\nservice_name = \"svc\"\n");

        var error = Assert.Throws<ConfigurationException>(() => SymphonyCluster.Bind("tcp://127.0.0.1:8516", config));

        Assert.Contains("'worker_manager_id'", error.Message, StringComparison.Ordinal);
        Assert.Contains("must not be empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalProfile_PassesThePythonExecutableToItsInstancesAsTheirEnvironment()
    {
        var with = SymphonyCluster.BindSettings("tcp://127.0.0.1:8516 -sn svc -mtc 2 --soam-backend local --python-executable /opt/py/bin/python3");
        var without = SymphonyCluster.BindSettings("tcp://127.0.0.1:8516 -sn svc -mtc 2 --soam-backend local");

        var profile = SymphonyWorkerManager.LocalProfile(with);

        Assert.Equal("svc", profile.ApplicationName);
        Assert.Equal(2, profile.MaxInstances);
        Assert.Contains(LocalServiceCommand.InstanceSubcommand, profile.ServiceCommand.Arguments);
        Assert.Equal("/opt/py/bin/python3", profile.ServiceCommand.Environment[PythonRunnerOptions.ExecutableVariable]);
        Assert.Equal("SCALER_PYTHON_EXECUTABLE", PythonRunnerOptions.ExecutableVariable);
        Assert.False(SymphonyWorkerManager.LocalProfile(without).ServiceCommand.Environment.ContainsKey(PythonRunnerOptions.ExecutableVariable));
    }

    [Fact]
    public void LocalProfile_MarksItsInstancesAsChildrenOfTheManager_SoTheyStopWhenItIsGone()
    {
        var profile = SymphonyWorkerManager.LocalProfile(SymphonyCluster.BindSettings("tcp://127.0.0.1:8516 -sn svc -mtc 2 --soam-backend local"));

        Assert.Equal(
            Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            profile.ServiceCommand.Environment[Scaler.Worker.Hosting.ParentProcess.Variable]);
    }

    [Fact]
    public void Bind_ShortAliasesAndSymphonyOptions()
    {
        var options = SymphonyCluster.Bind(
            "tcp://127.0.0.1:8516 -wmi wm -sn svc -mtc 3 --session-type UnrecoverableNoHistoricalData --soam-backend ibm --soam-library-path /opt/soam");

        Assert.Equal("svc", options.ServiceName);
        Assert.Equal(3, options.Manager.MaxTaskConcurrency);
        Assert.Equal("UnrecoverableNoHistoricalData", options.SessionType);
        Assert.Equal(SymphonySoamBackend.Ibm, options.SoamBackend);
        Assert.Equal("/opt/soam", options.SoamLibraryPath);
    }

    [Fact]
    public void Bind_MaxTaskConcurrencyDefaultsToCpusMinusOne()
    {
        var options = SymphonyCluster.Bind("tcp://127.0.0.1:8516 -wmi wm -sn svc");

        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), options.Manager.MaxTaskConcurrency);
    }

    [Fact]
    public void Bind_MaxTaskConcurrencyBelowOne_IsAnError()
    {
        var error = Assert.Throws<ConfigurationException>(() => SymphonyCluster.Bind("tcp://127.0.0.1:8516 -wmi wm -sn svc -mtc 0"));

        Assert.Contains("--max-task-concurrency", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UserPageToml_WithFlatLoggingLevel()
    {
        var config = Path.Combine(_directory, "config.toml");
        File.WriteAllText(config, """
            [[worker_manager]]
            type = "symphony"
            scheduler_address = "tcp://127.0.0.1:8516"
            worker_manager_id = "wm-symphony"
            service_name = "MyScalerService"
            max_task_concurrency = 8
            logging_level = "INFO"
            soam_backend = "local"
            """);

        var options = SymphonyCluster.Bind(string.Empty, config);

        Assert.Equal("tcp://127.0.0.1:8516", options.Manager.SchedulerAddress);
        Assert.Equal("wm-symphony", options.Manager.WorkerManagerId);
        Assert.Equal("MyScalerService", options.ServiceName);
        Assert.Equal(8, options.Manager.MaxTaskConcurrency);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, options.Logging.Level);
        Assert.Equal(SymphonySoamBackend.Local, options.SoamBackend);
    }

    [Fact]
    public async Task Cli_Help_SaysTheWorkerManagerIdDefault()
    {
        var (exitCode, output) = await RunCliAsync("worker-manager", "symphony", "--help");

        Assert.Equal(0, exitCode);
        var text = string.Join(' ', output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--worker-manager-id", text, StringComparison.Ordinal);
        Assert.Contains("TYPE-HOSTNAME-PID, unique per manager process", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_WithoutServiceName_ExitsWithTwoAndNamesTheFlag()
    {
        var (exitCode, output) = await RunCliAsync("worker-manager", "symphony", "tcp://127.0.0.1:8516", "-wmi", "wm", "--max-task-concurrency", "8");

        Assert.Equal(2, exitCode);
        Assert.Contains("--service-name", output, StringComparison.Ordinal);
    }

    /// <summary>Runs scaler-cli (bounded to a minute, killed if it runs longer) and returns its exit code and everything it printed.</summary>
    private static async Task<(int ExitCode, string Output)> RunCliAsync(params string[] arguments)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "scaler-cli"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cts.Token);
            var error = process.StandardError.ReadToEndAsync(cts.Token);
            await process.WaitForExitAsync(cts.Token);
            return (process.ExitCode, await output + await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
