using Scaler.EndToEnd.Tests.Support;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>Mistakes a user makes on the command line end the process with a non-zero code and a clear message.</summary>
public sealed class CliErrorTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("scaler-e2e-");

    [Fact]
    public async Task Launch_WithBadToml_ExitsNonZeroNamingTheFileAndLine()
    {
        var file = Path.Combine(_directory.FullName, "broken.toml");
        await File.WriteAllTextAsync(file, "[scheduler]\nbind_address = \"tcp://127.0.0.1:1\n");

        await using var launch = CliProcess.Start("launch", file);

        Assert.NotEqual(0, await launch.WaitForExitAsync(Bound));
        Assert.Contains("broken.toml", launch.Output, StringComparison.Ordinal);
        Assert.Contains("line 2", launch.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduler_WithBadPolicy_ExitsNonZeroNamingIt()
    {
        var port = FreePorts.FindConsecutive(3);
        await using var scheduler = CliProcess.Start(
            "scheduler", $"tcp://127.0.0.1:{port}",
            "--object-storage-address", $"tcp://127.0.0.1:{port + 1}",
            "--policy-content", "allocate=round_robin_please; scaling=vanilla");

        Assert.NotEqual(0, await scheduler.WaitForExitAsync(Bound));
        Assert.Contains("round_robin_please", scheduler.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
