using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Scaler.Symphony.Local;

/// <summary>
/// The engine's side of one service instance process: starts it, reads its frames and stderr, writes frames to
/// its stdin, reports its exit once. State fields are guarded by the engine's lock.
/// </summary>
internal sealed partial class LocalServiceInstance : IDisposable
{
    private const int StderrLinesKept = 20;

    private readonly LocalApplicationProfile _profile;
    private readonly ILogger _logger;
    private readonly Queue<string> _stderrTail = new();
    private readonly object _writeGate = new();
    private Process? _process;

    public LocalServiceInstance(int number, LocalApplicationProfile profile, ILogger logger)
    {
        Number = number;
        _profile = profile;
        _logger = logger;
    }

    public int Number { get; }

    public bool IsReady { get; set; }

    /// <summary>Killed on purpose (<see cref="LocalSoamEngine.KillAllInstances"/>): never given a task, not counted.</summary>
    public bool Retired { get; set; }

    public LocalTask? Current { get; set; }

    public int ProcessId { get; private set; }

    /// <summary>Starts the process; frames and the exit are reported through the callbacks, on reader threads.</summary>
    public void Start(Action<LocalServiceInstance, InstanceFrame> onFrame, Action<LocalServiceInstance, string> onExited)
    {
        var command = _profile.ServiceCommand;
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in command.Environment)
        {
            start.Environment[name] = value;
        }

        start.Environment[LocalInstanceHost.ApplicationVariable] = _profile.ApplicationName;
        start.Environment[LocalInstanceHost.ServiceVariable] = _profile.ServiceName;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command.FileName}");
        ProcessId = _process.Id;
        LogStarted(_logger, Number, ProcessId);
        var stderr = Task.Run(() => ReadStderrAsync(_process));
        var process = _process;

        // A thread of its own with blocking reads: one frame per task arrives here, and an asynchronous pipe read
        // would cost an epoll wake-up and a thread-pool hop for each.
        new Thread(() => ReadFrames(process, stderr, onFrame, onExited))
        {
            IsBackground = true,
            Name = $"soam-local instance {Number} reader",
        }.Start();
    }

    public bool Send(byte[] frame)
    {
        var process = _process;
        if (process is null)
        {
            return false;
        }

        try
        {
            lock (_writeGate)
            {
                process.StandardInput.BaseStream.Write(frame);
                process.StandardInput.BaseStream.Flush();
            }

            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process is gone; its reader reports the exit.
            return false;
        }
    }

    /// <summary>Kills the process at once (its reader then reports the exit).</summary>
    public void Kill()
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited.
        }
    }

    /// <summary>Asks the instance to end (closing its stdin), waits briefly, then kills it.</summary>
    public void Dispose()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            lock (_writeGate)
            {
                process.StandardInput.Close();
            }
        }
        catch (IOException)
        {
            // Already gone.
        }

        try
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(2)))
            {
                Kill();
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        process.Dispose();
    }

    private void ReadFrames(Process process, Task stderr, Action<LocalServiceInstance, InstanceFrame> onFrame, Action<LocalServiceInstance, string> onExited)
    {
        SerialDispatcher.MarkEngineThread();
        var reason = "its output channel closed";
        try
        {
            // Buffered: a frame's header and body (and several frames) in one read syscall.
            var stdout = new BufferedStream(process.StandardOutput.BaseStream, InstanceFrame.ReadBufferBytes);
            while (InstanceFrame.Read(stdout) is { } frame)
            {
                onFrame(this, frame);
            }
        }
#pragma warning disable CA1031 // Whatever breaks the channel, the instance is ended and its exit reported once.
        catch (Exception e)
#pragma warning restore CA1031
        {
            reason = $"its channel broke ({e.Message})";
            Kill();
        }

        try
        {
            process.WaitForExit();
            stderr.GetAwaiter().GetResult();
            reason = $"exited with code {process.ExitCode}: {reason}";
        }
        catch (InvalidOperationException)
        {
            // Disposed while we waited.
        }

        string tail;
        lock (_stderrTail)
        {
            tail = string.Join(" | ", _stderrTail);
        }

        if (tail.Length > 0)
        {
            reason += $"; last stderr: {tail}";
        }

        LogExited(_logger, Number, ProcessId, reason);
        onExited(this, reason);
    }

    private async Task ReadStderrAsync(Process process)
    {
        try
        {
            while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                LogStderr(_logger, Number, line);
                lock (_stderrTail)
                {
                    _stderrTail.Enqueue(line);
                    if (_stderrTail.Count > StderrLinesKept)
                    {
                        _stderrTail.Dequeue();
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Process gone.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "service instance {Number} started (pid {ProcessId})")]
    private static partial void LogStarted(ILogger logger, int number, int processId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "service instance {Number} (pid {ProcessId}) ended: {Reason}")]
    private static partial void LogExited(ILogger logger, int number, int processId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "service instance {Number}: {Line}")]
    private static partial void LogStderr(ILogger logger, int number, string line);
}
