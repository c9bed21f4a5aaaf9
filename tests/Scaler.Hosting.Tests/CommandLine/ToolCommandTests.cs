using System.CommandLine;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;

namespace Scaler.Hosting.Tests.CommandLine;

public sealed class ToolCommandTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private ObjectStorageServerOptions? _received;

    public void Dispose()
    {
        _files.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    private Task<int> RunAsync(params string[] args)
    {
        var root = new RootCommand("test")
        {
            ToolCommand.Create(
                "object-storage-server",
                "test server",
                ObjectStorageServerOptions.Section,
                options => options.Logging,
                "object_storage_server",
                (options, _, _) =>
                {
                    _received = options;
                    return Task.FromResult(7);
                }),
        };
        return CliRunner.RunAsync(root, args, _output, _error);
    }

    [Fact]
    public async Task Run_ValidArguments_CallsTheHookWithBoundOptionsAndReturnsItsCode()
    {
        var code = await RunAsync("object-storage-server", "tcp://127.0.0.1:2345", "--identity", "oss-1", "-ll", "ERROR");

        Assert.Equal(7, code);
        Assert.NotNull(_received);
        Assert.Equal("tcp://127.0.0.1:2345", _received.BindAddress);
        Assert.Equal("oss-1", _received.Identity);
        Assert.Equal(string.Empty, _error.ToString());
    }

    [Fact]
    public async Task Run_ConfigFileSection_IsUsedAndCommandLineWins()
    {
        var config = _files.Write("c.toml", """
            [object_storage_server]
            bind_address = "tcp://127.0.0.1:1111"
            identity = "from-file"
            logging_level = "CRITICAL"

            [scheduler]
            this_section_is_not_read_by_this_tool = 1
            """);

        var code = await RunAsync("object-storage-server", "-c", config, "--identity", "from-flag");

        Assert.Equal(7, code);
        Assert.Equal("tcp://127.0.0.1:1111", _received!.BindAddress);
        Assert.Equal("from-flag", _received.Identity);
    }

    [Fact]
    public async Task Run_MissingPositional_PrintsErrorAndUsageAndReturns2()
    {
        var code = await RunAsync("object-storage-server", "-ll", "ERROR");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Null(_received);
        var error = _error.ToString();
        Assert.Contains("missing required argument <bind_address>", error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
        Assert.Contains("object-storage-server", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownFlag_PrintsErrorAndUsageAndReturns2()
    {
        var code = await RunAsync("object-storage-server", "tcp://127.0.0.1:1", "--identiti", "x");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Null(_received);
        Assert.Contains("--identiti", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage:", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadChoice_ListsChoicesAndReturns2()
    {
        var code = await RunAsync("object-storage-server", "tcp://127.0.0.1:1", "--logging-level", "TRACE");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("'TRACE'", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("one of DEBUG, INFO, WARNING, ERROR, CRITICAL", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownKeyInConfigFile_ReturnsUsageErrorNamingIt()
    {
        var config = _files.Write("c.toml", "[object_storage_server]\nidentityy = \"x\"\n");

        var code = await RunAsync("object-storage-server", "tcp://127.0.0.1:1", "-c", config);

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("unknown key 'identityy' in [object_storage_server]", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LogFile_ReceivesTheHooksLines()
    {
        var logFile = _files.PathOf("logs/oss.log");

        var code = await RunAsync("object-storage-server", "tcp://127.0.0.1:1", "-lp", logFile);

        Assert.Equal(7, code);
        var log = await File.ReadAllTextAsync(logFile);
        Assert.Contains("INFO object_storage_server[", log, StringComparison.Ordinal);
        Assert.Contains("logging to", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ValueStartingWithAt_IsNotAResponseFile()
    {
        var code = await RunAsync("object-storage-server", "tcp://127.0.0.1:1", "--identity", "@oss", "-ll", "ERROR");

        Assert.Equal(7, code);
        Assert.Equal("@oss", _received!.Identity);
    }
}
