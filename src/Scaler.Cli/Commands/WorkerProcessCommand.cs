using System.CommandLine;
using System.Runtime.InteropServices;
using Scaler.Hosting.CommandLine;
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

            // A worker under a manager can get SIGINT twice (the terminal's Ctrl-C reaches the process group, then its
            // manager asks it to stop); every signal only asks for the graceful stop, and the manager kills it after a grace.
            using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                shutdown.Cancel();
            }

            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var loggerFactory = InternalLogging.Create("worker", settings.LogLevel, settings.LogPaths);
            return await WorkerHost.RunAsync(
                    settings.ToAgentOptions(), loggerFactory, shutdown.Token, processorLogLevel: settings.LogLevel, pythonExecutable: settings.PythonExecutable)
                .ConfigureAwait(false);
        });
        return command;
    }
}
