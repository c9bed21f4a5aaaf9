using System.CommandLine;

namespace Scaler.Cli.Commands;

/// <summary>The <c>scaler-cli</c> root: the first argument selects the tool.</summary>
internal static class RootCommandFactory
{
    public static RootCommand Create() => new("Scaler.NET: one executable for every Scaler tool")
    {
        LaunchCommand.Create(),
        SchedulerCommand.Create(),
        WorkerManagerCommand.Create(),
        ObjectStorageServerCommand.Create(),
        TopCommand.Create(),
        WorkerProcessCommand.Create(),
        ProcessorCommand.Create(),
        SymphonyServiceCommand.Create(),
        SoamLocalInstanceCommand.Create(),
    };
}
