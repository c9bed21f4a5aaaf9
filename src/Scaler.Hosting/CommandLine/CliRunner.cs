using System.CommandLine;

namespace Scaler.Hosting.CommandLine;

/// <summary>
/// Parses and runs a root command. Parse errors (unknown flags, missing values, bad values) are printed with the
/// command's usage and give exit code 2. Ctrl-C handling is left to <see cref="Shutdown.ShutdownSignal"/>.
/// </summary>
public static class CliRunner
{
    public static async Task<int> RunAsync(
        RootCommand root,
        IReadOnlyList<string> args,
        TextWriter? output = null,
        TextWriter? error = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        output ??= Console.Out;
        error ??= Console.Error;
        // No @response-file expansion: the reference's argparse has none, and values may start with '@'.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            return UsageErrors.Report(parseResult, parseResult.Errors.Select(e => e.Message), error);
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,

            // Tools own their shutdown through ShutdownSignal; System.CommandLine must not also trap the signals.
            ProcessTerminationTimeout = null,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
