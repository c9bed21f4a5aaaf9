using System.Runtime.InteropServices;

namespace Scaler.WorkerManager.Native;

/// <summary>Signals to child processes, which <see cref="System.Diagnostics.Process"/> cannot send (it only kills).</summary>
internal static partial class PosixSignals
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>
    /// Asks a process to stop with SIGTERM, which a worker takes as "disconnect, then exit". Not SIGINT: a manager
    /// started from a script with <c>&amp;</c> inherits SIGINT ignored, passes that on to its workers, and they would
    /// never hear it. False when signals are not available here (Windows) or the process is gone.
    /// </summary>
    public static bool TryTerminate(int pid) => !OperatingSystem.IsWindows() && Kill(pid, SigTerm) == 0;

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does (tests use it to stop a manager as a user would).</summary>
    public static bool TryInterrupt(int pid) => !OperatingSystem.IsWindows() && Kill(pid, SigInt) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
