using System.Diagnostics;
using Scaler.ClientTests.Support;

namespace Scaler.ClientTests;

/// <summary>Runs examples/QuickStart as its own process, as a user would.</summary>
public sealed class QuickStartTests
{
    [Fact]
    public async Task QuickStart_AgainstAScheduler_PrintsTheFiftySquaresOnOneLine()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var scheduler = await FakeScheduler.StartAsync(timeout.Token);

        var (exitCode, output, error) = await RunQuickStartAsync(scheduler.Address, timeout.Token);

        Assert.True(exitCode == 0, $"exit code {exitCode}: {error}");
        var expected = "[" + string.Join(", ", Enumerable.Range(0, 50).Select(x => x * x)) + "]";
        Assert.Equal(expected, output.Trim());
        Assert.StartsWith("[0, 1, 4, ", expected, StringComparison.Ordinal);
        Assert.EndsWith(", 2401]", expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuickStart_NoScheduler_ExitsNonZeroWithTheReason()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var (exitCode, _, error) = await RunQuickStartAsync("tcp://127.0.0.1:1", timeout.Token);

        Assert.Equal(1, exitCode);
        Assert.Contains("could not reach the scheduler at tcp://127.0.0.1:1: connection refused", error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunQuickStartAsync(string address, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "QuickStart.dll"));
        start.ArgumentList.Add(address);
        using var process = Process.Start(start)!;
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return (process.ExitCode, await output, await error);
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
