using System.Runtime.InteropServices;

namespace Scaler.Cli.Launch;

/// <summary>Sends SIGTERM, which <see cref="System.Diagnostics.Process"/> cannot do (it only kills).</summary>
internal static partial class PosixSignals
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM. True when the signal was sent; false on Windows or when the process is already gone.</summary>
    public static bool TryTerminate(int processId) =>
        !OperatingSystem.IsWindows() && Kill(processId, SigTerm) == 0;

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does. Same results as <see cref="TryTerminate"/>.</summary>
    public static bool TryInterrupt(int processId) =>
        !OperatingSystem.IsWindows() && Kill(processId, SigInt) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Kill(int processId, int signal);
}
