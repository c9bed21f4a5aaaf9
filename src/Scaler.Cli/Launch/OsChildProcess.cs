using System.Diagnostics;

namespace Scaler.Cli.Launch;

/// <summary>
/// A child started as an OS process with its output read line by line. Stopping it snapshots the processes below it
/// first, so that nothing it started outlives the launcher.
/// </summary>
internal sealed class OsChildProcess : IChildProcess
{
    private readonly Process _process;
    private readonly Lock _descendantsLock = new();
    private readonly List<ProcessTree.ProcessStamp> _descendants = [];
    private int _disposed;

    private OsChildProcess(Process process)
    {
        _process = process;
        Id = process.Id;
        Exited = WaitForExitAsync(process);
    }

    public int Id { get; }

    public Task<int> Exited { get; }

    public static OsChildProcess Start(SelfCommand command, ChildSpec spec, Action<string> standardOutputLine, Action<string> standardErrorLine)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(spec);
        var startInfo = new ProcessStartInfo(command.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.LeadingArguments.Concat(spec.Arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                standardOutputLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                standardErrorLine(e.Data);
            }
        };
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OsChildProcess(process);
    }

    public void RequestStop()
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        RememberDescendants();
        if (!PosixSignals.TryTerminate(Id))
        {
            // No SIGTERM (Windows) or it could not be sent: the only way left is to kill.
            Kill();
        }
    }

    public void Kill()
    {
        RememberDescendants();
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting right now; the descendants are handled below.
        }

        KillRememberedDescendants();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!Exited.IsCompleted)
        {
            Kill();
        }

        KillRememberedDescendants();
        _process.Dispose();
    }

    private static async Task<int> WaitForExitAsync(Process process)
    {
        // With asynchronous reading, this also waits until both output streams reached their end.
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return process.ExitCode;
    }

    private void RememberDescendants()
    {
        var snapshot = ProcessTree.Descendants(Id);
        lock (_descendantsLock)
        {
            foreach (var stamp in snapshot.Where(s => !_descendants.Contains(s)))
            {
                _descendants.Add(stamp);
            }
        }
    }

    private void KillRememberedDescendants()
    {
        ProcessTree.ProcessStamp[] snapshot;
        lock (_descendantsLock)
        {
            snapshot = [.. _descendants];
        }

        ProcessTree.KillSurvivors(snapshot);
    }
}
