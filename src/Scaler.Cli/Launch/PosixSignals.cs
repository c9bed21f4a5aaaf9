using System.Runtime.InteropServices;

namespace Scaler.Cli.Launch;

/// <summary>Sends SIGTERM, which <see cref="System.Diagnostics.Process"/> cannot do (it only kills).</summary>
internal static partial class PosixSignals
{
    private const int SigTerm = 15;

    /// <summary>True when the signal was sent; false on Windows or when the process is already gone.</summary>
    public static bool TryTerminate(int processId) =>
        !OperatingSystem.IsWindows() && Kill(processId, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Kill(int processId, int signal);
}
