using System.CommandLine;
using Scaler.Cli.Commands;
using Scaler.Hosting.CommandLine;

namespace Scaler.Cli.Tests.Launch;

public sealed class LaunchCommandTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static async Task<(int ExitCode, string Output, string Error)> LaunchAsync(string path)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var exitCode = await CliRunner.RunAsync(new RootCommand { LaunchCommand.Create() }, [LaunchCommand.Name, path], output, error, bound.Token);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task MissingFile_IsAUsageErrorNamingTheFile()
    {
        var path = _files.PathOf("absent.toml");

        var (exitCode, _, error) = await LaunchAsync(path);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains($"cannot read config file '{path}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadToml_IsAUsageErrorWithTheLine()
    {
        var path = _files.Write("bad.toml", "[scheduler]\nbind_address = \"tcp://127.0.0.1:1\"\nthis is not toml\n");

        var (exitCode, _, error) = await LaunchAsync(path);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains($"invalid TOML in {path} at line 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownSection_IsAUsageErrorWithASuggestion()
    {
        var path = _files.Write("section.toml", "[schedular]\nbind_address = \"tcp://127.0.0.1:1\"\n");

        var (exitCode, _, error) = await LaunchAsync(path);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("unknown section 'schedular'", error, StringComparison.Ordinal);
        Assert.Contains("did you mean [scheduler]?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownKey_IsAUsageErrorNamingKeyAndSection()
    {
        var path = _files.Write("key.toml", "[object_storage_server]\nbind_address = \"tcp://127.0.0.1:1\"\nbind_adress = \"x\"\n");

        var (exitCode, output, error) = await LaunchAsync(path);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("unknown key 'bind_adress' in [object_storage_server]", error, StringComparison.Ordinal);
        Assert.DoesNotContain("started", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyTop_StartsNothingAndFails()
    {
        var path = _files.Write("top.toml", "[top]\nmonitor_address = \"tcp://127.0.0.1:1\"\n");

        var (exitCode, output, error) = await LaunchAsync(path);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("[top] is not started", output, StringComparison.Ordinal);
        Assert.Contains($"no section to start in {path}", error, StringComparison.Ordinal);
    }
}
