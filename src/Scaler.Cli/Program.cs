using Scaler.Cli.Commands;
using Scaler.Cli.Launch;
using Scaler.Hosting.CommandLine;

namespace Scaler.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        // Before anything touches a socket: the runtime reads it once (InlineSocketCompletions says why).
        InlineSocketCompletions.Enable();

        // The native build hands the sub-commands that load code to the managed build next to it (ManagedForwarding says why).
        if (ManagedForwarding.IsNeeded(args))
        {
            return Task.FromResult(ManagedForwarding.ReplaceWithManagedBuild(args));
        }

        // A child of a Scaler process (worker, processor, service instance, a process of the launcher) ends with it.
        ParentWatch.StartIfRequested(args.Length > 0 ? args[0] : "scaler-cli");
        return CliRunner.RunAsync(RootCommandFactory.Create(), args);
    }
}
