using Microsoft.Extensions.Logging;
using Scaler.Hosting.CommandLine;

namespace Scaler.Cli.Commands;

/// <summary>The run hook of a tool whose server is not written yet: says so and exits with code 2.</summary>
internal static partial class NotBuiltYet
{
    public static ToolEntryPoint<TOptions> EntryPoint<TOptions>(string toolName) => (_, loggerFactory, _) =>
    {
        LogNotBuilt(loggerFactory.CreateLogger("Scaler.Cli"), toolName);
        return Task.FromResult(ExitCodes.UsageError);
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "{ToolName} not built yet")]
    private static partial void LogNotBuilt(ILogger logger, string toolName);
}
