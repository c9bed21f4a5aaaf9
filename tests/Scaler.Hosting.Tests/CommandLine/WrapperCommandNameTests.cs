using System.CommandLine;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;

namespace Scaler.Hosting.Tests.CommandLine;

/// <summary>Help and usage errors name the bin/ wrapper the user typed, not "scaler-cli SUBCOMMAND".</summary>
public sealed class WrapperCommandNameTests : IDisposable
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly RootCommand _root = new("test")
    {
        ToolCommand.Create(
            "object-storage-server",
            "test server",
            ObjectStorageServerOptions.Section,
            options => options.Logging,
            "object_storage_server",
            (_, _, _) => Task.FromResult(0)),
    };

    public void Dispose()
    {
        _output.Dispose();
        _error.Dispose();
    }

    private string Direct => $"{_root.Name} object-storage-server";

    private Task<int> RunAsync(string? wrapperName, params string[] args) =>
        CliRunner.RunAsync(_root, args, wrapperName, _output, _error, CancellationToken.None);

    [Fact]
    public async Task Help_UnderAWrapperNamesTheWrapper()
    {
        var code = await RunAsync("scaler_object_storage_server", "object-storage-server", "--help");

        var help = _output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("Usage:", help, StringComparison.Ordinal);
        Assert.Contains("  scaler_object_storage_server [<bind_address>] [options]", help, StringComparison.Ordinal);
        Assert.DoesNotContain(Direct, help, StringComparison.Ordinal);
        Assert.Contains("--identity", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_WithoutAWrapperNamesTheExecutableAndItsCommand()
    {
        var code = await RunAsync(null, "object-storage-server", "--help");

        Assert.Equal(0, code);
        Assert.Contains($"  {Direct} [<bind_address>] [options]", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageError_UnderAWrapperNamesTheWrapper()
    {
        // System.CommandLine's own check (an unknown flag, no positional).
        var missing = await RunAsync("scaler_object_storage_server", "object-storage-server", "--no-such-flag");

        var error = _error.ToString();
        Assert.Equal(ExitCodes.UsageError, missing);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("  scaler_object_storage_server [<bind_address>] [options]", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Direct, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageError_FromOptionBindingNamesTheWrapperToo()
    {
        // Our binding's check (a value out of range), reported from inside the tool's action.
        var code = await RunAsync("scaler_object_storage_server", "object-storage-server", "tcp://127.0.0.1:1", "--max-object-bytes", "999999999999999");

        var error = _error.ToString();
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("scaler_object_storage_server [<bind_address>] [options]", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Direct, error, StringComparison.Ordinal);
    }

    [Fact]
    public void For_NeedsANameAndASubCommand()
    {
        Assert.Null(WrapperCommandName.For("scaler-cli", ["scheduler"], null));
        Assert.Null(WrapperCommandName.For("scaler-cli", ["scheduler"], " "));
        Assert.Null(WrapperCommandName.For("scaler-cli", [], "scaler_scheduler"));
        Assert.Null(WrapperCommandName.For("scaler-cli", ["--help"], "scaler_scheduler"));
        Assert.Equal(
            "Usage: scaler_worker_manager baremetal_native [options]",
            WrapperCommandName.For("scaler-cli", ["worker-manager"], "scaler_worker_manager")!
                .Rewrite("Usage: scaler-cli worker-manager baremetal_native [options]"));
    }

    [Fact]
    public void Wrap_LinesWrittenFromSeveralThreadsStayWholeAndAreEachRenamed()
    {
        var name = WrapperCommandName.For("scaler-cli", ["launch"], "scaler")!;
        using var inner = new StringWriter();
        using var writer = name.Wrap(inner);

        // As the launcher writes its children's lines: one WriteLine per line, from one thread per child stream.
        Parallel.For(0, 8, thread =>
        {
            for (var line = 0; line < 200; line++)
            {
                writer.WriteLine($"[{thread}] scaler-cli launch line {line}");
            }
        });
        writer.Write("no newline yet: scaler-cli launch");
        writer.Flush();

        var lines = inner.ToString().Split(Environment.NewLine);
        Assert.Equal(8 * 200 + 1, lines.Length);
        Assert.All(lines[..^1], l => Assert.Matches(@"^\[\d\] scaler line \d+$", l));
        Assert.Equal("no newline yet: scaler", lines[^1]);
    }

    [Fact]
    public void TakeFromEnvironment_RemovesTheVariableSoChildrenDoNotInheritIt()
    {
        // A variable of this test's own: the real one may be read by other tests running at the same time.
        var variable = $"SCALER_COMMAND_NAME_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "scaler_scheduler");

        Assert.Equal("scaler_scheduler", WrapperCommandName.TakeFromEnvironment(variable));
        Assert.Null(Environment.GetEnvironmentVariable(variable));
        Assert.Null(WrapperCommandName.TakeFromEnvironment(variable));
    }
}
