using System.CommandLine;
using Scaler.Hosting.Options;
using Scaler.Hosting.Shutdown;
using Scaler.IO.Addressing;
using Scaler.Worker.Processors;

namespace Scaler.Cli.Commands;

/// <summary>
/// Hidden <c>scaler-cli processor OBJECT_STORAGE_ADDRESS LOG_LEVEL</c>: a worker's processor. Its stdin/stdout are the
/// frame channel to the worker, so user code's console output is sent to stderr.
/// </summary>
internal static class ProcessorCommand
{
    public static Command Create()
    {
        var storage = new Argument<string>("object-storage-address");
        var level = new Argument<string>("log-level") { Arity = ArgumentArity.ZeroOrOne };
        var command = new Command(ProcessorArguments.SubCommand, "Run one processor (started by a worker)") { Hidden = true };
        command.Arguments.Add(storage);
        command.Arguments.Add(level);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // Take the real stdout for frames before anything can write text to it.
            var toWorker = Console.OpenStandardOutput();
            var fromWorker = Console.OpenStandardInput();
            Console.SetOut(Console.Error);
            Console.SetIn(TextReader.Null);

            using var loggerFactory = InternalLogging.Create("processor", parseResult.GetValue(level), LoggingOptions.StandardError);
            using var shutdown = ShutdownSignal.ListenToProcessSignals();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken);
            var address = ScalerAddress.Parse(parseResult.GetValue(storage) ?? string.Empty);
            return await ProcessorHost.RunAsync(address, fromWorker, toWorker, loggerFactory, linked.Token).ConfigureAwait(false);
        });
        return command;
    }
}
