using System.CommandLine;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Logging;
using Scaler.Hosting.Options;
using Scaler.Hosting.Shutdown;
using Scaler.IO.Ymq;

namespace Scaler.Hosting.CommandLine;

/// <summary>
/// Builds the command of one tool: options from its section, <c>--config/-c</c>, and an action that binds the options,
/// sets up logging, listens for Ctrl-C/SIGTERM and runs the tool. An address that cannot be used (a bind address in
/// use or not this machine's, a host name that does not resolve among the addresses the tool connects to, checked at
/// start) ends the tool with one line naming it and <see cref="ExitCodes.AddressUnusable"/>, never a stack trace.
/// </summary>
public static class ToolCommand
{
    public static Command Create<TOptions>(
        string name,
        string description,
        ConfigSection<TOptions> section,
        Func<TOptions, LoggingOptions> logging,
        string processName,
        ToolEntryPoint<TOptions> run,
        SectionLocator? locator = null,
        Func<TOptions, IEnumerable<string?>>? connectsTo = null)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(run);
        var commandLine = new SectionCommandLine<TOptions>(name, description, section, locator);
        commandLine.Command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            TOptions options;
            try
            {
                options = commandLine.Bind(parseResult);
            }
            catch (ConfigurationException e)
            {
                return UsageErrors.Report(parseResult, [e.Message], error);
            }

            ILoggerFactory loggerFactory;
            try
            {
                loggerFactory = ScalerLogging.CreateFactory(logging(options), processName);
            }
            catch (ConfigurationException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            using (loggerFactory)
            using (var shutdown = ShutdownSignal.ListenToProcessSignals())
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken))
            {
                if (connectsTo is not null
                    && await StartupAddressCheck.FindUnresolvableAsync(connectsTo(options), linked.Token).ConfigureAwait(false) is { } unresolvable)
                {
                    await error.WriteLineAsync($"error: {unresolvable}").ConfigureAwait(false);
                    return ExitCodes.AddressUnusable;
                }

                try
                {
                    return await run(options, loggerFactory, linked.Token).ConfigureAwait(false);
                }
                catch (YmqAddressException e)
                {
                    await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.AddressUnusable;
                }
            }
        });
        return commandLine.Command;
    }
}
