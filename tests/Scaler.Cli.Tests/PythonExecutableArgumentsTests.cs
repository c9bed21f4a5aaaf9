using Scaler.Cli.Commands;
using Scaler.Worker.Hosting;
using Scaler.Worker.Processors;

namespace Scaler.Cli.Tests;

/// <summary>The hidden commands that carry <c>--python-executable</c> read what their starter writes.</summary>
public sealed class PythonExecutableArgumentsTests
{
    private const string Python = "/opt/my env/bin/python3";

    [Fact]
    public void ProcessorCommand_ReadsTheArgumentsAWorkerBuilds()
    {
        var parsed = RootCommandFactory.Create().Parse([.. ProcessorArguments.Build("tcp://127.0.0.1:2", "Debug", Python)]);
        var without = RootCommandFactory.Create().Parse([.. ProcessorArguments.Build("tcp://127.0.0.1:2", "Debug")]);

        Assert.Empty(parsed.Errors);
        Assert.Equal(Python, parsed.GetValue<string?>(ProcessorArguments.PythonExecutableOption));
        Assert.Equal("Debug", parsed.GetValue<string>("log-level"));
        Assert.Empty(without.Errors);
        Assert.Null(without.GetValue<string?>(ProcessorArguments.PythonExecutableOption));
    }

    [Fact]
    public void ProcessorCommand_ReadsTheTlsFilesAWorkerGives()
    {
        var tls = new IO.Tls.TlsSettings { CertificatePath = "w.pem", KeyPath = "w.key", CaPath = "ca.pem" };

        var parsed = RootCommandFactory.Create().Parse([.. ProcessorArguments.Build("tls://127.0.0.1:2", "Debug", Python, tls)]);

        Assert.Empty(parsed.Errors);
        Assert.Equal("w.pem", parsed.GetValue<string?>(ProcessorArguments.TlsCertificateOption));
        Assert.Equal("w.key", parsed.GetValue<string?>(ProcessorArguments.TlsKeyOption));
        Assert.Equal("ca.pem", parsed.GetValue<string?>(ProcessorArguments.TlsCaOption));
        Assert.Equal(Python, parsed.GetValue<string?>(ProcessorArguments.PythonExecutableOption));
    }

    [Fact]
    public void WorkerCommand_AcceptsTheSettingsAManagerWrites()
    {
        var settings = new WorkerProcessSettings { SchedulerAddress = "tcp://127.0.0.1:1", Name = "NAT|1", PythonExecutable = Python };

        var parsed = RootCommandFactory.Create().Parse([.. settings.ToArguments()]);

        Assert.Empty(parsed.Errors);
        Assert.Equal(Python, WorkerProcessSettings.Parse(parsed.GetValue<string[]>("settings")!).PythonExecutable);
    }

    [Fact]
    public void SymphonyServiceCommand_TakesThePythonExecutable()
    {
        var parsed = RootCommandFactory.Create().Parse([SymphonyServiceCommand.Name, "--python-executable", Python]);

        Assert.Empty(parsed.Errors);
        Assert.Equal(Python, parsed.GetValue<string?>("--python-executable"));
    }
}
