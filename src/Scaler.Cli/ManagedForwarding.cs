using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Scaler.Cli.Commands;
using Scaler.Hosting.Sections;
using Scaler.Symphony.Local;
using Scaler.Worker.Processors;

namespace Scaler.Cli;

/// <summary>
/// The native build (<c>scaler-native</c>, Native AOT; docs/cold-start.md) runs the servers, the native workers, the
/// launcher and <c>scaler_top</c> with no JIT at all, so a fresh stack serves its first tasks at full speed. It cannot
/// load code at run time, so the sub-commands that do are run by the managed build (<c>scaler-cli</c>) that ships next
/// to it: the process replaces itself with it (<c>execv</c>), keeping its pid, arguments, environment and streams, so
/// whoever started it (a worker, the launcher, an operator) sees no difference.
/// </summary>
/// <remarks>
/// Loading code: processors (users' .NET functions), service instances of the local SOAM engine and the Symphony
/// service (users' functions again), and the Symphony worker manager (IBM's SOAM API is a .NET assembly found at run
/// time; the manager goes whole, so a stack file that picks its backend by <c>auto</c> works as with the managed build).
/// </remarks>
internal static partial class ManagedForwarding
{
    /// <summary>The file name of the native build, next to the managed <c>scaler-cli</c>.</summary>
    public const string NativeExecutableName = "scaler-native";

    private static readonly string[] SubCommandsThatLoadCode =
    [
        ProcessorArguments.SubCommand,
        LocalServiceCommand.InstanceSubcommand,
        SymphonyServiceCommand.Name,
    ];

    /// <summary>Whether this process cannot run <paramref name="args"/> itself (it is the native build and they load code).</summary>
    public static bool IsNeeded(IReadOnlyList<string> args) =>
        !RuntimeFeature.IsDynamicCodeSupported && LoadsCode(args);

    /// <summary>Whether the sub-command in <paramref name="args"/> loads code at run time.</summary>
    public static bool LoadsCode(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Count > 0
            && (SubCommandsThatLoadCode.Contains(args[0], StringComparer.Ordinal)
                || (args[0] == WorkerManagerCommand.Name && args.Count > 1 && args[1] == SymphonyWorkerManagerOptions.TypeName));
    }

    /// <summary>Replaces this process with the managed build run with <paramref name="args"/>; returns only on failure (exit code 1).</summary>
    public static int ReplaceWithManagedBuild(string[] args)
    {
        var managed = Path.Combine(AppContext.BaseDirectory, Worker.Hosting.ProcessLauncher.ExecutableName);
        if (!File.Exists(managed))
        {
            Console.Error.WriteLine(
                $"scaler: '{args[0]}' loads code at run time, which the native build cannot do, and the managed build that runs it ({managed}) is missing; reinstall (scripts/setup.sh)");
            return 1;
        }

        string?[] argv = [managed, .. args, null];
        Execv(managed, argv);
        Console.Error.WriteLine($"scaler: could not start the managed build {managed} for '{args[0]}': {Marshal.GetLastPInvokeErrorMessage()}");
        return 1;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, string?[] argv);
}
