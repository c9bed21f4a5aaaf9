using System.CommandLine;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Scaler.WorkerManager.Native;
using Scaler.WorkerManager.Symphony;

namespace Scaler.Cli.Commands;

/// <summary>
/// <c>scaler-cli worker-manager TYPE SCHEDULER_ADDRESS ...</c> (the reference's <c>scaler_worker_manager</c>); with
/// <c>--config</c>, the one <c>[[worker_manager]]</c> entry of that type supplies the file's values.
/// </summary>
internal static class WorkerManagerCommand
{
    public const string Name = "worker-manager";

    public static Command Create()
    {
        var command = new Command(Name, "Run a worker manager of the given type");
        command.Subcommands.Add(CreateType(
            NativeWorkerManagerOptions.TypeName,
            "Start workers as local processes",
            NativeWorkerManagerOptions.Section,
            (options, loggerFactory, shutdown) => NativeWorkerManager.RunAsync(options, loggerFactory, shutdown)));
        command.Subcommands.Add(CreateType(
            SymphonyWorkerManagerOptions.TypeName,
            "Run tasks as IBM Spectrum Symphony (SOAM) tasks",
            SymphonyWorkerManagerOptions.Section,
            (options, loggerFactory, shutdown) => SymphonyWorkerManager.RunAsync(options, loggerFactory, shutdown)));
        return command;
    }

    private static Command CreateType<TOptions>(string type, string description, ConfigSection<TOptions> section, ToolEntryPoint<TOptions> run)
        where TOptions : WorkerManagerOptions => ToolCommand.Create(
            type,
            description,
            section,
            options => options.Logging,
            processName: type,
            run,
            (root, fileName) => (WorkerManagerTypes.FindSingle(root, type, fileName), $"[[worker_manager]] (type = \"{type}\") of {fileName}"),
            options => [options.Manager.SchedulerAddress, options.Manager.WorkerSchedulerAddress, options.Manager.ObjectStorageAddress]);
}
