using System.Diagnostics;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Worker.Agent;

namespace Scaler.Worker.Processors;

/// <summary>One processor process as the worker sees it: its pipes, its state, and a loop reading its frames.</summary>
internal sealed class ProcessorHandle : IDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly ProcessResourceMeter _meter;

    private ProcessorHandle(Process process, ProcessResourceMeter meter)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _meter = meter;
        Pid = process.Id;
    }

    public int Pid { get; }

    /// <summary>Set when the processor said ProcessorInitialized (it reached the object storage).</summary>
    public bool Initialized { get; set; }

    /// <summary>
    /// The tasks sent to it, in the order it runs them: the first runs, the others wait in its channel (submitted ahead
    /// so it goes from one task to the next without a round trip to the worker).
    /// </summary>
    public List<TaskMessage> Assigned { get; } = [];

    /// <summary>Cancels sent for waiting tasks, by task key, until the processor answers.</summary>
    public Dictionary<TaskId, TaskCompletionSource<bool>> PendingCancels { get; } = [];

    /// <summary>Set when the worker killed it on purpose, so its exit is not reported as a crash.</summary>
    public bool Retired { get; private set; }

    public Task ReadLoop { get; private set; } = Task.CompletedTask;

    public static ProcessorHandle Start(
        ProcessStartInfo startInfo, TimeProvider timeProvider, Action<ProcessorHandle, IMessage> onMessage, Action<ProcessorHandle, int, string?> onExit)
    {
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {startInfo.FileName}");
        var handle = new ProcessorHandle(process, new ProcessResourceMeter(timeProvider));
        handle.ReadLoop = Task.Run(() => handle.ReadLoopAsync(onMessage, onExit));
        return handle;
    }

    public async ValueTask SendAsync(IMessage message, CancellationToken cancellationToken) =>
        await PipeFrames.WriteAsync(_input, message, cancellationToken).ConfigureAwait(false);

    public ProcessorStatus Status() => new()
    {
        Pid = (uint)Pid,
        Initialized = Initialized,
        HasTask = Assigned.Count > 0,
        Suspended = false,
        Resource = _meter.Read(_process),
    };

    /// <summary>Kills the process (and anything it started) without reporting its exit as a crash.</summary>
    public void Retire()
    {
        Retired = true;
        Kill();
    }

    public void Dispose()
    {
        Retire();
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // exiting right now
        }
    }

    private async Task ReadLoopAsync(Action<ProcessorHandle, IMessage> onMessage, Action<ProcessorHandle, int, string?> onExit)
    {
        string? problem = null;
        // Buffered: a frame is a header and a body, and several frames often arrive together; unbuffered, each would
        // cost two read syscalls.
        var output = new BufferedStream(_process.StandardOutput.BaseStream, PipeFrames.ReadBufferBytes);
        try
        {
            while (await PipeFrames.ReadAsync(output, CancellationToken.None).ConfigureAwait(false) is { } message)
            {
                onMessage(this, message);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException)
        {
            problem = e.Message;
            Kill();
        }

        var exitCode = -1;
        try
        {
            using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            {
                try
                {
                    await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // closed its channel but lingers: it is of no use any more
                    Kill();
                    await _process.WaitForExitAsync().ConfigureAwait(false);
                }
            }

            exitCode = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
        }

        onExit(this, exitCode, problem);
    }
}
