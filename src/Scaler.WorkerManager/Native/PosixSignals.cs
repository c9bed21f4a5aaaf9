using System.Runtime.InteropServices;

namespace Scaler.WorkerManager.Native;

/// <summary>Asks a child process to stop the way Ctrl-C would (SIGINT), so a worker says DisconnectRequest first.</summary>
internal static partial class PosixSignals
{
    private const int SigInt = 2;

    /// <summary>False when signals are not available here (Windows) or the process is gone.</summary>
    public static bool TryInterrupt(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        return Kill(pid, SigInt) == 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
