using System.CommandLine;

namespace Scaler.Hosting.CommandLine;

/// <summary>
/// Parses and runs a root command. Parse errors (unknown flags, missing values, bad values) are printed with the
/// command's usage and give exit code 2. Ctrl-C handling is left to <see cref="Shutdown.ShutdownSignal"/>. Run through a
/// <c>bin/</c> wrapper, help and usage errors name the wrapper (<see cref="WrapperCommandName"/>).
/// </summary>
public static class CliRunner
{
    public static Task<int> RunAsync(
        RootCommand root,
        IReadOnlyList<string> args,
        TextWriter? output = null,
        TextWriter? error = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(root, args, WrapperCommandName.TakeFromEnvironment(), output ?? Console.Out, error ?? Console.Error, cancellationToken);

    /// <summary>Runs with <paramref name="wrapperName"/> (null: none) as the name the command was called by.</summary>
    public static async Task<int> RunAsync(
        RootCommand root,
        IReadOnlyList<string> args,
        string? wrapperName,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (WrapperCommandName.For(root.Name, args, wrapperName) is not { } name)
        {
            return await RunUnderNameAsync(root, args, output, error, cancellationToken).ConfigureAwait(false);
        }

        // Only what is written through these two is renamed: help, usage errors and the tools' "error: ..." lines. The
        // tools' own output (logs, top's screen) goes to the console directly and is never held back.
        using var namedOutput = name.Wrap(output);
        using var namedError = name.Wrap(error);
        try
        {
            return await RunUnderNameAsync(root, args, namedOutput, namedError, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A last line without its newline is still written; the writers never close what they wrap.
            namedOutput.Flush();
            namedError.Flush();
        }
    }

    private static async Task<int> RunUnderNameAsync(
        RootCommand root, IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
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
