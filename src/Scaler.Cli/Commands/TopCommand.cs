using System.CommandLine;
using Scaler.Cli.Top;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Options;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Commands;

/// <summary><c>scaler-cli top MONITOR_ADDRESS</c> (the reference's <c>scaler_top</c>).</summary>
internal static class TopCommand
{
    public const string Name = "top";

    // The reference's top has no logging options; it logs warnings and errors to stderr so the screen stays usable.
    private static readonly LoggingOptions TopLogging = LoggingOptions.Default with
    {
        Paths = [LoggingOptions.StandardError],
        Level = Microsoft.Extensions.Logging.LogLevel.Warning,
    };

    /// <summary>Draws on the terminal until q or Ctrl-C; exit code 1 when the scheduler stays silent or goes away.</summary>
    public static ToolEntryPoint<TopOptions> Run { get; } = (options, loggerFactory, shutdown) =>
        new TopSession(options, new ConsoleTopScreen(TimeProvider.System), loggerFactory.CreateLogger("Scaler.Cli.Top"), TimeProvider.System).RunAsync(shutdown);

    public static Command Create(ToolEntryPoint<TopOptions>? run = null) => ToolCommand.Create(
        Name,
        "Show the scheduler's state, like top",
        TopOptions.Section,
        _ => TopLogging,
        processName: "top",
        run ?? Run,
        connectsTo: options => [options.MonitorAddress]);
}
