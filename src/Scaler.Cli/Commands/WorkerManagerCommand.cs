using System.CommandLine;

namespace Scaler.Cli.Commands;

/// <summary>
/// <c>scaler-cli worker-manager TYPE SCHEDULER_ADDRESS ...</c> (the reference's <c>scaler_worker_manager</c>): one
/// sub-command per type of <see cref="WorkerManagerTypes"/>.
/// </summary>
internal static class WorkerManagerCommand
{
    public const string Name = "worker-manager";

    public static Command Create()
    {
        var command = new Command(Name, "Run a worker manager of the given type");
        foreach (var type in WorkerManagerTypes.All)
        {
            command.Subcommands.Add(type.CreateCommand());
        }

        return command;
    }
}
