using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Scaler.EndToEnd.Tests.Support;

/// <summary>
/// A real <c>scaler-cli</c> process started by a test: its output lines are kept for assertions and waits, and the
/// whole process tree is killed on dispose, so no test leaves a process behind.
/// </summary>
internal sealed partial class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineAdded = new(0);

    private CliProcess(Process process)
    {
        _process = process;
    }

    private static readonly AsyncLocal<string?> ExecutableOverride = new();

    /// <summary>The executable copied next to the tests by the project reference to src/Scaler.Cli.</summary>
    public static string ManagedExecutablePath { get; } = Path.Combine(AppContext.BaseDirectory, "scaler-cli");

    /// <summary>What <see cref="Start(string[])"/> runs: <see cref="ManagedExecutablePath"/> unless a test chose another build.</summary>
    public static string ExecutablePath => ExecutableOverride.Value ?? ManagedExecutablePath;

    /// <summary>Makes <see cref="Start(string[])"/> in the calling test (its async flow) run <paramref name="executable"/>.</summary>
    public static void UseExecutable(string executable) => ExecutableOverride.Value = executable;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join(Environment.NewLine, _lines);

    public static CliProcess Start(params string[] arguments) => StartProgram(ExecutablePath, arguments);

    /// <summary>Another program (a shell that then runs <see cref="ExecutablePath"/>, say), with the same output capture.</summary>
    public static CliProcess StartProgram(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new CliProcess(process);
        process.OutputDataReceived += (_, e) => result.Add(e.Data);
        process.ErrorDataReceived += (_, e) => result.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Waits until a line contains <paramref name="text"/>; fails with the output so far when it does not.</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!_lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            try
            {
                await _lineAdded.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no line containing '{text}' within {timeout.TotalSeconds} s; output:{Environment.NewLine}{Output}");
            }
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code; fails with the output when it does not.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {Id} did not exit within {timeout.TotalSeconds} s; output:{Environment.NewLine}{Output}");
        }

        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as a service manager or <c>kill</c> would.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            _lineAdded.Dispose();
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        _lineAdded.Release();
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
