using System.CommandLine;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.Logging;
using Scaler.Hosting.Options;
using Scaler.Symphony.Ibm;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;

namespace Scaler.Cli.Commands;

/// <summary>
/// <c>scaler-cli symphony-service [--soam-library PATH]</c>: the service package entry point of Scaler's Symphony
/// application (the profile's <c>startCmd</c>). Started by the local SOAM engine it hosts the Scaler task service
/// over the engine's channel; started by IBM Symphony it loads IBM's SOAM .NET assembly (the path given, else found
/// under SOAM_HOME) and runs the task service inside IBM's ServiceContainer. Logs go to stderr.
/// </summary>
internal static partial class SymphonyServiceCommand
{
    public const string Name = "symphony-service";

    public static Command Create()
    {
        var libraryOption = new Option<string?>("--soam-library") { Description = "IBM's SOAM .NET assembly, or a directory holding it (default: search SOAM_HOME)" };
        var command = new Command(Name, "Run the Scaler task service as a Symphony service instance");
        command.Options.Add(libraryOption);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (Environment.GetEnvironmentVariable(LocalInstanceHost.ApplicationVariable) is not null)
            {
                return await SoamLocalInstanceCommand.RunAsync(null, null, cancellationToken).ConfigureAwait(false);
            }

            return RunUnderIbm(parseResult.GetValue(libraryOption));
        });
        return command;
    }

    private static int RunUnderIbm(string? libraryPath)
    {
        using var loggerFactory = ScalerLogging.CreateFactory(
            LoggingOptions.Default with { Paths = [LoggingOptions.StandardError] }, Name);
        var logger = loggerFactory.CreateLogger("Scaler.Symphony");
        var path = IbmSoamLocator.Locate(libraryPath, Environment.GetEnvironmentVariable(IbmSoamLocator.SoamHomeVariable), out var reason);
        if (path is null)
        {
            LogNotFound(logger, reason);
            return 2;
        }

        LogLoaded(logger, path, reason);
        IbmServiceHost.Run(IbmSoamApi.Load(path), new ScalerTaskService(loggerFactory.CreateLogger<ScalerTaskService>()));
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "symphony-service: IBM's SOAM .NET API was not found ({Reason}); set SOAM_HOME or pass --soam-library")]
    private static partial void LogNotFound(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "symphony-service: running under IBM Symphony with {Path} (found via {Reason})")]
    private static partial void LogLoaded(ILogger logger, string path, string reason);
}
