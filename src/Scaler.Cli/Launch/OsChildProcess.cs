using System.Diagnostics;
using Scaler.Worker.Hosting;

namespace Scaler.Cli.Launch;

/// <summary>
/// A child started as an OS process with its output read line by line. The processes below it are noted every few
/// seconds and again just before it is stopped; whatever of them is still running when the child is disposed is
/// killed, so nothing it started outlives the launcher, even when the child itself crashed.
/// </summary>
internal sealed class OsChildProcess : IChildProcess
{
    /// <summary>How often the processes below the child are noted while it runs.</summary>
    private static readonly TimeSpan DescendantsRefresh = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After the child exited, how long to wait for the end of its output. A process it left running can hold the
    /// output pipe open forever; its lines are still forwarded, but the exit is reported without waiting for them.
    /// </summary>
    private static readonly TimeSpan OutputDrainTime = TimeSpan.FromSeconds(1);

    private readonly Process _process;
    private readonly CancellationTokenSource _stopRefreshing = new();
    private readonly Lock _descendantsLock = new();
    private readonly List<ProcessTree.ProcessStamp> _descendants = [];
    private int _disposed;

    private OsChildProcess(Process process, Task processExited)
    {
        _process = process;
        Id = process.Id;
        Exited = WaitForExitAsync(process, processExited);
        _ = RefreshDescendantsAsync(_stopRefreshing.Token);
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

        // The child stops when the launcher is gone, even when the launcher is killed with SIGKILL (ParentWatch).
        ParentProcess.Mark(startInfo);

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var processExited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => processExited.TrySetResult();
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
        return new OsChildProcess(process, processExited.Task);
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

        _stopRefreshing.Cancel();
        KillRememberedDescendants();
        _process.Dispose();
        _stopRefreshing.Dispose();
    }

    private static async Task<int> WaitForExitAsync(Process process, Task processExited)
    {
        await processExited.ConfigureAwait(false);
        using var drain = new CancellationTokenSource(OutputDrainTime);
        try
        {
            // With asynchronous reading, this waits until both output streams reached their end.
            await process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Something the child started still holds its output open; see OutputDrainTime.
        }

        return process.ExitCode;
    }

    private async Task RefreshDescendantsAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!Exited.IsCompleted)
            {
                await Task.Delay(DescendantsRefresh, cancellationToken).ConfigureAwait(false);
                RememberDescendants();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            // Disposed.
        }
    }

    /// <summary>Notes the processes below the child now (also done every few seconds and before stopping it).</summary>
    internal void RememberDescendants()
    {
        // Once the child has exited its id may be reused by an unrelated process: never look below it again.
        if (_process.HasExited)
        {
            return;
        }

        var snapshot = ProcessTree.Descendants(Id);
        lock (_descendantsLock)
        {
            // Forget processes that are gone, so a long run with short-lived workers does not grow the list.
            _descendants.RemoveAll(s => !ProcessTree.IsRunning(s));
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
