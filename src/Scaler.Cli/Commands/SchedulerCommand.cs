using System.CommandLine;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Runtime;

namespace Scaler.Cli.Commands;

/// <summary><c>scaler-cli scheduler ADDRESS -osa ADDRESS</c> (the reference's <c>scaler_scheduler</c>).</summary>
internal static partial class SchedulerCommand
{
    public const string Name = "scheduler";

    public static Command Create(ToolEntryPoint<SchedulerOptions>? run = null) => ToolCommand.Create(
        Name,
        "Run the scheduler",
        SchedulerOptions.Section,
        options => options.Logging,
        processName: "scheduler",
        run ?? RunAsync,
        connectsTo: options => [options.ObjectStorageAddress]);

    /// <summary>
    /// Maps the section onto the scheduler's options and runs it. A policy, address or TLS combination the mapping
    /// refuses is logged in one line, as the scheduler logs the options it refuses, with exit code 2.
    /// </summary>
    internal static Task<int> RunAsync(SchedulerOptions options, ILoggerFactory loggerFactory, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        SchedulerServerOptions serverOptions;
        try
        {
            serverOptions = SchedulerOptionsMapping.ToServerOptions(options);
        }
        catch (Exception error) when (error is PolicyContentException or FormatException or ConfigurationException)
        {
            LogBadOptions(loggerFactory.CreateLogger<SchedulerServer>(), error.Message);
            return Task.FromResult(ExitCodes.UsageError);
        }

        return SchedulerServer.RunAsync(serverOptions, loggerFactory, shutdown);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "scheduler: {Reason}")]
    private static partial void LogBadOptions(ILogger logger, string reason);
}
