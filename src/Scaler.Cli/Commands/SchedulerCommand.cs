using System.CommandLine;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;
using Scaler.Scheduler.Runtime;

namespace Scaler.Cli.Commands;

/// <summary><c>scaler-cli scheduler ADDRESS -osa ADDRESS</c> (the reference's <c>scaler_scheduler</c>).</summary>
internal static class SchedulerCommand
{
    public const string Name = "scheduler";

    public static Command Create(ToolEntryPoint<SchedulerOptions>? run = null) => ToolCommand.Create(
        Name,
        "Run the scheduler",
        SchedulerOptions.Section,
        options => options.Logging,
        processName: "scheduler",
        run ?? SchedulerServer.RunAsync,
        connectsTo: options => [options.ObjectStorageAddress]);
}
