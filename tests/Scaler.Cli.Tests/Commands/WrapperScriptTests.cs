using System.Diagnostics;
using Scaler.Cli.Commands;

namespace Scaler.Cli.Tests.Commands;

/// <summary>
/// The bin/ wrappers exactly as scripts/setup.sh writes them (its <c>write_wrapper</c> function, taken from the
/// script), around the real <c>scaler-cli</c> of this build: help and usage errors name the wrapper.
/// </summary>
public sealed class WrapperScriptTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("scaler-wrapper-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task SetupWrapper_UsageErrorAndHelpNameTheWrapper()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var wrapper = await WriteWrapperAsync("scaler_top", TopCommand.Name, bound.Token);

        var (usageCode, _, usageError) = await RunAsync(wrapper, [], bound.Token);
        var (helpCode, help, _) = await RunAsync(wrapper, ["--help"], bound.Token);

        Assert.Equal(2, usageCode);
        Assert.Contains("  scaler_top [<monitor_address>] [options]", usageError, StringComparison.Ordinal);
        Assert.DoesNotContain("scaler-cli top", usageError, StringComparison.Ordinal);
        Assert.Equal(0, helpCode);
        Assert.Contains("  scaler_top [<monitor_address>] [options]", help, StringComparison.Ordinal);
        Assert.DoesNotContain("scaler-cli top", help, StringComparison.Ordinal);
    }

    /// <summary>Runs setup.sh's own <c>write_wrapper</c> with the program it wraps pointing at a shim for this build.</summary>
    private async Task<string> WriteWrapperAsync(string name, string command, CancellationToken cancellationToken)
    {
        var setup = Path.Combine(RepositoryRoot(), "scripts", "setup.sh");
        var shim = Path.Combine(_directory, "scaler-cli");
        var assembly = typeof(TopCommand).Assembly.Location;
        await File.WriteAllTextAsync(shim, $"#!/bin/sh\nexec dotnet '{assembly}' \"$@\"\n", cancellationToken);
        var script = $$"""
            set -eu
            chmod +x '{{shim}}'
            eval "$(sed -n '/^write_wrapper() {/,/^}/p' '{{setup}}')"
            program='{{shim}}'
            cd '{{_directory}}'
            mkdir -p bin
            write_wrapper {{name}} {{command}}
            """;
        var (code, _, error) = await RunAsync("bash", ["-c", script], cancellationToken);
        Assert.True(code == 0, $"write_wrapper failed ({code}): {error}");
        var wrapper = Path.Combine(_directory, "bin", name);
        Assert.True(File.Exists(wrapper), "setup.sh's write_wrapper wrote no wrapper");
        return wrapper;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // As a user's shell would: the wrapper sets the name, nothing else does.
        start.Environment.Remove("SCALER_COMMAND_NAME");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await output, await error);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "scripts", "setup.sh")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no scripts/setup.sh above {AppContext.BaseDirectory}");
    }
}
