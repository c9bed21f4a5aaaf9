using System.CommandLine;
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

    public static Command Create(ToolEntryPoint<TopOptions>? run = null) => ToolCommand.Create(
        Name,
        "Show the scheduler's state, like top",
        TopOptions.Section,
        _ => TopLogging,
        processName: "top",
        run ?? NotBuiltYet.EntryPoint<TopOptions>("top"));
}
