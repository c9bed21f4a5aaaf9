using System.CommandLine;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.Logging;
using Scaler.Hosting.Options;
using Scaler.Python.Runner;
using Scaler.Symphony.Local;
using Scaler.Symphony.Service;
using Scaler.Symphony.Soam;

namespace Scaler.Cli.Commands;

/// <summary>
/// <c>scaler-cli soam-local-instance [--service-assembly PATH --service-type TYPE]</c> (hidden): one service
/// instance process of the local SOAM engine. It speaks the engine's frame channel on stdin/stdout and logs to
/// stderr; Console.Out is pointed at stderr and Console.In emptied, so user code printing or reading cannot
/// corrupt the channel. Without options it
/// hosts the Scaler task service; with them, any <see cref="ServiceContainer"/> with a parameterless constructor.
/// </summary>
internal static class SoamLocalInstanceCommand
{
    public static Command Create()
    {
        var assemblyOption = new Option<string?>("--service-assembly") { Description = "assembly file holding the service container" };
        var typeOption = new Option<string?>("--service-type") { Description = "full name of the ServiceContainer type" };
        var command = new Command(LocalServiceCommand.InstanceSubcommand, "Run one service instance of the local SOAM engine (internal)")
        {
            Hidden = true,
        };
        command.Options.Add(assemblyOption);
        command.Options.Add(typeOption);
        command.SetAction((parseResult, cancellationToken) =>
            RunAsync(parseResult.GetValue(assemblyOption), parseResult.GetValue(typeOption), null, cancellationToken));
        return command;
    }

    /// <param name="pythonExecutable">the Scaler task service's Python interpreter; null: <c>$SCALER_PYTHON_EXECUTABLE</c>, else python3</param>
    internal static async Task<int> RunAsync(string? assemblyPath, string? typeName, string? pythonExecutable, CancellationToken cancellationToken)
    {
        var (fromEngine, toEngine) = StandardPipes.Open();
        Console.SetOut(Console.Error);
        Console.SetIn(TextReader.Null);
        using var loggerFactory = ScalerLogging.CreateFactory(
            LoggingOptions.Default with { Paths = [LoggingOptions.StandardError] }, "soam-instance");
        var service = CreateService(assemblyPath, typeName, pythonExecutable, loggerFactory.CreateLogger<ScalerTaskService>());
        return await LocalInstanceHost.RunAsync(service, fromEngine, toEngine, cancellationToken).ConfigureAwait(false);
    }

    private static ServiceContainer CreateService(string? assemblyPath, string? typeName, string? pythonExecutable, ILogger logger)
    {
        if (typeName is null)
        {
            // The Symphony worker manager passes its --python-executable to the engine's instances as
            // SCALER_PYTHON_EXECUTABLE, which Resolve reads when no interpreter is given here.
            return new ScalerTaskService(logger, PythonRunnerOptions.Resolve(pythonExecutable));
        }

        var assembly = assemblyPath is null
            ? Assembly.GetExecutingAssembly()
            : AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        var type = assembly.GetType(typeName, throwOnError: true)!;
        return (ServiceContainer)(Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"could not create {typeName}"));
    }
}
