using System.Diagnostics;

namespace Scaler.WorkerManager.Native;

/// <summary>One worker process started by the native manager.</summary>
internal sealed class WorkerProcessHandle : IDisposable
{
    private readonly Process _process;

    private WorkerProcessHandle(Process process, string name)
    {
        _process = process;
        Name = name;
        Pid = process.Id;
    }

    public string Name { get; }

    public int Pid { get; }

    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public int? ExitCode => HasExited ? _process.ExitCode : null;

    public static WorkerProcessHandle Start(ProcessStartInfo startInfo, string name)
    {
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {startInfo.FileName}");
        return new WorkerProcessHandle(process, name);
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGTERM (the worker disconnects from the scheduler), or a kill where signals do not exist.</summary>
    public void RequestStop()
    {
        if (!HasExited && !PosixSignals.TryTerminate(Pid))
        {
            Kill();
        }
    }

    /// <summary>Kills the worker and its processors.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Asks it to stop, waits up to <paramref name="grace"/>, then kills it.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        RequestStop();
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
