using Microsoft.Extensions.Logging;
using Scaler.Hosting.Logging;
using Scaler.Hosting.Options;

namespace Scaler.Cli.Commands;

/// <summary>Logging of the internal sub-commands (worker, processor), whose settings come from their parent process.</summary>
internal static class InternalLogging
{
    public static LogLevel ParseLevel(string? text) =>
        Enum.TryParse<LogLevel>(text, ignoreCase: true, out var level) ? level : LogLevel.Information;

    public static ILoggerFactory Create(string processName, string? level, string? paths) => ScalerLogging.CreateFactory(
        new LoggingOptions(
            string.IsNullOrEmpty(paths) ? [LoggingOptions.StandardOutput] : paths.Split(',', StringSplitOptions.RemoveEmptyEntries),
            null,
            ParseLevel(level)),
        processName);
}
