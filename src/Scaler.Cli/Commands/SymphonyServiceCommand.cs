using System.CommandLine;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.Logging;
using Scaler.Hosting.Options;
using Scaler.Python.Runner;
using Scaler.Symphony.Ibm;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;

namespace Scaler.Cli.Commands;

/// <summary>
/// <c>scaler-cli symphony-service [--soam-library PATH] [--python-executable PATH]</c>: the service package entry point
/// of Scaler's Symphony application (the profile's <c>startCmd</c>). Started by the local SOAM engine it hosts the
/// Scaler task service over the engine's channel; started by IBM Symphony it loads IBM's SOAM .NET assembly (the path
/// given, else found under SOAM_HOME) and runs the task service inside IBM's ServiceContainer. Python tasks run with
/// the interpreter given, else <c>$SCALER_PYTHON_EXECUTABLE</c> (how the local engine passes it), else <c>python3</c>.
/// Logs go to stderr.
/// </summary>
internal static partial class SymphonyServiceCommand
{
    public const string Name = "symphony-service";

    public static Command Create()
    {
        var libraryOption = new Option<string?>("--soam-library") { Description = "IBM's SOAM .NET assembly, or a directory holding it (default: search SOAM_HOME)" };
        var pythonOption = new Option<string?>("--python-executable")
        {
            Description = "Python interpreter that runs Python tasks (default: $SCALER_PYTHON_EXECUTABLE, else python3 on PATH)",
        };
        var command = new Command(Name, "Run the Scaler task service as a Symphony service instance");
        command.Options.Add(libraryOption);
        command.Options.Add(pythonOption);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (Environment.GetEnvironmentVariable(LocalInstanceHost.ApplicationVariable) is not null)
            {
                // Under the local engine the interpreter usually comes as SCALER_PYTHON_EXECUTABLE; a flag still wins.
                return await SoamLocalInstanceCommand.RunAsync(null, null, parseResult.GetValue(pythonOption), cancellationToken).ConfigureAwait(false);
            }

            return RunUnderIbm(parseResult.GetValue(libraryOption), PythonRunnerOptions.Resolve(parseResult.GetValue(pythonOption)));
        });
        return command;
    }

    private static int RunUnderIbm(string? libraryPath, PythonRunnerOptions python)
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
        IbmServiceHost.Run(IbmSoamApi.Load(path), new ScalerTaskService(loggerFactory.CreateLogger<ScalerTaskService>(), python));
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "symphony-service: IBM's SOAM .NET API was not found ({Reason}); set SOAM_HOME or pass --soam-library")]
    private static partial void LogNotFound(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "symphony-service: running under IBM Symphony with {Path} (found via {Reason})")]
    private static partial void LogLoaded(ILogger logger, string path, string reason);
}
