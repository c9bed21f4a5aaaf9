using System.CommandLine;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Shutdown;
using Scaler.Worker.Hosting;

namespace Scaler.Cli.Commands;

/// <summary>
/// Hidden <c>scaler-cli worker key=value ...</c>: one worker process, as a worker manager starts it
/// (see <see cref="WorkerProcessSettings"/>).
/// </summary>
internal static class WorkerProcessCommand
{
    public static Command Create()
    {
        var pairs = new Argument<string[]>("settings") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(WorkerProcessSettings.SubCommand, "Run one worker (started by a worker manager)") { Hidden = true };
        command.Arguments.Add(pairs);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            WorkerProcessSettings settings;
            try
            {
                settings = WorkerProcessSettings.Parse(parseResult.GetValue(pairs) ?? []);
            }
            catch (FormatException e)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            using var loggerFactory = InternalLogging.Create("worker", settings.LogLevel, settings.LogPaths);
            using var shutdown = ShutdownSignal.ListenToProcessSignals();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken);
            return await WorkerHost.RunAsync(settings.ToAgentOptions(), loggerFactory, linked.Token, processorLogLevel: settings.LogLevel)
                .ConfigureAwait(false);
        });
        return command;
    }
}
