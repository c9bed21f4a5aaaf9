using System.CommandLine;
using System.Runtime.InteropServices;
using Scaler.Hosting.Options;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.Python.Runner;
using Scaler.Worker.Processors;

namespace Scaler.Cli.Commands;

/// <summary>
/// Hidden <c>scaler-cli processor OBJECT_STORAGE_ADDRESS LOG_LEVEL [--python-executable PATH]</c>: a worker's processor.
/// Its stdin/stdout are the frame channel to the worker, so user code's console output is sent to stderr. Python tasks
/// run with the interpreter given, else <c>$SCALER_PYTHON_EXECUTABLE</c>, else <c>python3</c>.
/// </summary>
internal static class ProcessorCommand
{
    public static Command Create()
    {
        var storage = new Argument<string>("object-storage-address");
        var level = new Argument<string>("log-level") { Arity = ArgumentArity.ZeroOrOne };
        var python = new Option<string?>(ProcessorArguments.PythonExecutableOption) { Description = "Python interpreter of Python tasks" };
        var certificate = new Option<string?>(ProcessorArguments.TlsCertificateOption) { Description = "PEM certificate presented to object storage" };
        var key = new Option<string?>(ProcessorArguments.TlsKeyOption) { Description = "PEM private key of --tls-cert" };
        var ca = new Option<string?>(ProcessorArguments.TlsCaOption) { Description = "PEM CA file object storage must chain to" };
        var command = new Command(ProcessorArguments.SubCommand, "Run one processor (started by a worker)") { Hidden = true };
        command.Arguments.Add(storage);
        command.Arguments.Add(level);
        command.Options.Add(python);
        command.Options.Add(certificate);
        command.Options.Add(key);
        command.Options.Add(ca);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // Take the real stdout for frames before anything can write text to it.
            var (fromWorker, toWorker) = StandardPipes.Open();
            Console.SetOut(Console.Error);
            Console.SetIn(TextReader.Null);

            // Ctrl-C in a terminal reaches the whole process group; the worker owns its processors' lifetime (it kills
            // them, and they exit when it closes their stdin), so a processor ignores SIGINT. SIGTERM still ends it.
            using var ignoreInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
            using var loggerFactory = InternalLogging.Create("processor", parseResult.GetValue(level), LoggingOptions.StandardError);
            var address = ScalerAddress.Parse(parseResult.GetValue(storage) ?? string.Empty);
            var tls = new TlsSettings { CertificatePath = parseResult.GetValue(certificate), KeyPath = parseResult.GetValue(key), CaPath = parseResult.GetValue(ca) };
            return await ProcessorHost.RunAsync(
                    address, fromWorker, toWorker, loggerFactory, cancellationToken, PythonRunnerOptions.Resolve(parseResult.GetValue(python)), tls)
                .ConfigureAwait(false);
        });
        return command;
    }
}
