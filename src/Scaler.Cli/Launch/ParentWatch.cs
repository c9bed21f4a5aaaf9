using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.Logging;
using Scaler.Hosting.Options;
using Scaler.Worker.Hosting;

namespace Scaler.Cli.Launch;

/// <summary>
/// The child's half of "children never outlive their parent" (<see cref="ParentProcess"/>): a process started with
/// <see cref="ParentProcess.Variable"/> watches that parent and, once it is gone, stops itself as SIGTERM would stop it
/// (a worker disconnects, a manager stops its workers, a server closes), and kills itself if that takes longer than
/// <see cref="StopGrace"/>.
/// <para>
/// Why a watch in the child rather than PR_SET_PDEATHSIG: the kernel sends the death signal when the <em>thread</em>
/// that forked the child ends, and .NET starts processes from whichever pool thread runs the caller, which the pool
/// may retire at any time, killing a healthy child. Why the parent's ID rather than a pipe whose end the child
/// watches: the children already use their standard streams (frames, log lines), and a pipe inherited by a
/// grandchild would keep it open. The parent's ID cannot be mistaken for another process's: on Linux an orphan is
/// re-parented at once (to init or a subreaper), so the child's parent ID changes the moment its parent is gone.
/// </para>
/// </summary>
internal sealed partial class ParentWatch
{
    /// <summary>How often the parent ID is read: the bound on how long a child outlives its parent before it stops.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a child whose parent is gone may take over its orderly stop before it is killed: a manager's workers
    /// get 5 s to disconnect, a scheduler 5 s per part it closes.
    /// </summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly int _parent;
    private readonly Func<int> _currentParent;
    private readonly TimeProvider _time;

    /// <param name="parent">the parent's process ID, as the parent wrote it</param>
    /// <param name="currentParent">reads this process's parent ID now (getppid)</param>
    internal ParentWatch(int parent, Func<int> currentParent, TimeProvider time)
    {
        _parent = parent;
        _currentParent = currentParent;
        _time = time;
    }

    /// <summary>
    /// When this process was started as a Scaler child, removes <see cref="ParentProcess.Variable"/> from its
    /// environment (so that processes user code starts do not take it for their own) and starts watching the parent.
    /// <paramref name="processName"/> names this process in the log line written when the parent is gone.
    /// </summary>
    public static void StartIfRequested(string processName)
    {
        var value = Environment.GetEnvironmentVariable(ParentProcess.Variable);
        if (value is null)
        {
            return;
        }

        Environment.SetEnvironmentVariable(ParentProcess.Variable, null);
        if (OperatingSystem.IsWindows() || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
        {
            return;
        }

        var watch = new ParentWatch(parent, GetParentProcessId, TimeProvider.System);
        _ = Task.Run(() => watch.StopThisProcessWhenParentGoneAsync(processName));
    }

    /// <summary>
    /// Completes when the parent is gone: this process's parent ID is no longer the one the parent wrote (including
    /// at once, when the parent was gone before the watch started).
    /// </summary>
    public async Task WaitForParentExitAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PollInterval, _time);
        while (_currentParent() == _parent)
        {
            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StopThisProcessWhenParentGoneAsync(string processName)
    {
        await WaitForParentExitAsync(CancellationToken.None).ConfigureAwait(false);
        using (var loggerFactory = ScalerLogging.CreateFactory(LoggingOptions.Default with { Paths = [LoggingOptions.StandardError] }, processName))
        {
            LogParentGone(loggerFactory.CreateLogger<ParentWatch>(), _parent, StopGrace.TotalSeconds);
        }

        // The same orderly stop as an operator's SIGTERM, through each command's own handler.
        _ = Kill(Environment.ProcessId, SigTerm);
        await Task.Delay(StopGrace, _time, CancellationToken.None).ConfigureAwait(false);
        _ = Kill(Environment.ProcessId, SigKill);
    }

    [LibraryImport("libc", EntryPoint = "getppid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetParentProcessId();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Kill(int processId, int signal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "parent process {ParentId} is gone: stopping (killed if not stopped within {Seconds} s)")]
    private static partial void LogParentGone(ILogger logger, int parentId, double seconds);
}
