using System.CommandLine;
using Scaler.Cli.Commands;
using Scaler.Cli.Launch;
using Scaler.Hosting.CommandLine;

namespace Scaler.Cli.Tests.Launch;

/// <summary>
/// Sends a real SIGTERM to the test process while <c>launch</c> runs in it. Every tool command running at the same time
/// would take the signal as its own shutdown too, so this assembly runs its tests one at a time (see AssemblyInfo.cs).
/// </summary>
public sealed class LaunchSignalTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Runs every planned child as a shell idler that answers SIGTERM, whatever its sub-command.</summary>
    private sealed class IdlerChildren(TempFiles files) : IChildProcessFactory
    {
        public ShellChildren Shell { get; } = new();

        public List<string> ReadyFiles { get; } = [];

        public IChildProcess Start(ChildSpec spec, Action<string> standardOutputLine, Action<string> standardErrorLine)
        {
            var ready = files.PathOf($"{spec.Name}.ready".Replace(':', '_'));
            ReadyFiles.Add(ready);
            return Shell.Start(ShellChildren.Idler(spec.Name, ready), standardOutputLine, standardErrorLine);
        }
    }

    [Fact]
    public async Task Sigterm_StopsEveryChildInReverseOrderAndExitsZero()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Port 0: nothing to wait for before the scheduler starts.
        var path = _files.Write("stack.toml", """
            [object_storage_server]
            bind_address = "tcp://127.0.0.1:0"

            [scheduler]
            bind_address = "tcp://127.0.0.1:0"
            object_storage_address = "tcp://127.0.0.1:1"
            """);
        var children = new IdlerChildren(_files);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var launcher = CliRunner.RunAsync(
            new RootCommand { LaunchCommand.Create(children, TimeSpan.FromSeconds(10)) }, ["launch", path], output, error, bound.Token);
        while (children.ReadyFiles.Count < 2 && !bound.IsCancellationRequested)
        {
            await Task.Delay(20, bound.Token);
        }

        await ShellChildren.WaitForFilesAsync(bound.Token, [.. children.ReadyFiles]);
        Assert.True(PosixSignals.TryTerminate(Environment.ProcessId));
        var exitCode = await launcher.WaitAsync(bound.Token);

        Assert.Equal(ExitCodes.Success, exitCode);
        var stopped = output.ToString().Split(Environment.NewLine).Where(l => l.EndsWith("] stopping", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["[scheduler] stopping", "[object_storage_server] stopping"], stopped);
        Assert.All(children.Shell.Started, c => Assert.True(c.Exited.IsCompleted));
        Assert.Contains("[scaler] stopped", output.ToString(), StringComparison.Ordinal);
        foreach (var child in children.Shell.Started)
        {
            child.Dispose();
        }
    }
}
