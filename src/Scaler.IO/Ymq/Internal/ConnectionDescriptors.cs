using System.Runtime.InteropServices;

namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// The file descriptors the connections accepted by all binders of this process may take together: the open-file
/// limit (soft <c>RLIMIT_NOFILE</c>, read once) less a reserve of a tenth of it, at least 100. Why a reserve and not
/// just the limit: a .NET process out of descriptors aborts ("Out of memory.") the next time the runtime starts a
/// thread, so a flood that took the last descriptor killed the scheduler whatever the binder did after EMFILE. The
/// reserve keeps descriptors for the runtime, log files, connectors and child processes; connections beyond it are
/// refused as those over <see cref="YmqOptions.MaxConnections"/> are.
/// </summary>
internal static partial class ConnectionDescriptors
{
    private const int RlimitNoFile = 7;

    private static int s_taken;

    /// <summary>The open-file limit, or null where it cannot be read (then nothing is reserved).</summary>
    public static long? OpenFileLimit { get; } = ReadOpenFileLimit();

    /// <summary>Descriptors accepted connections may take, over all binders of the process.</summary>
    public static long Available { get; } = OpenFileLimit is { } limit ? Math.Max(1, limit - Math.Max(100, limit / 10)) : long.MaxValue;

    /// <summary>Counts one more accepted connection; false (nothing counted) when none may be taken.</summary>
    public static bool TryTake()
    {
        if (Interlocked.Increment(ref s_taken) > Available)
        {
            Interlocked.Decrement(ref s_taken);
            return false;
        }

        return true;
    }

    /// <summary>An accepted connection is closed.</summary>
    public static void Return() => Interlocked.Decrement(ref s_taken);

    private static long? ReadOpenFileLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var limits = new RLimit();
            return GetRLimit(RlimitNoFile, ref limits) == 0 && limits.Current < long.MaxValue ? (long)limits.Current : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetRLimit(int resource, ref RLimit limits);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
