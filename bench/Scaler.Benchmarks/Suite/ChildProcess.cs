using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Scaler.Benchmarks.Suite;

/// <summary>A scaler-cli process the suite started: output kept for error messages, whole tree killed on dispose.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private int _id;

    private ChildProcess(Process process) => _process = process;

    /// <summary>The process ID, still readable after the process was disposed (samplers may race a restart).</summary>
    public int Id => _id;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join(Environment.NewLine, _lines.TakeLast(40));

    public static ChildProcess Start(string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(executable)
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

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        process.Start();
        child._id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Starts this benchmark program again with <paramref name="arguments"/> (a helper command such as an echo server).
    /// Its launcher is found next to its assembly, so this works inside a test host too; without one, through dotnet.
    /// </summary>
    public static ChildProcess StartThisProgram(params string[] arguments)
    {
        var assembly = typeof(ChildProcess).Assembly.Location;
        var launcher = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        return File.Exists(launcher) ? Start(launcher, arguments) : Start("dotnet", [assembly, .. arguments]);
    }

    /// <summary>Waits (at most 30 s) for an output line starting with <paramref name="prefix"/>; returns the rest of it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line[prefix.Length..];
            }

            if (HasExited)
            {
                throw new InvalidOperationException($"process {Id} exited before printing '{prefix}': {Output}");
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>A field of /proc/PID/status in bytes (VmHWM = peak resident set, VmRSS = current), or -1 when unreadable.</summary>
    public long ReadStatusBytes(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Id}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var parts = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>Waits for the process to end by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>SIGKILLs this process alone (not its children, which must then end by themselves) and waits for it.</summary>
    public async Task KillAloneAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"process {_process.Id} did not exit within 10 s of SIGKILL");
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > 200 && _lines.TryDequeue(out _))
        {
        }
    }
}
