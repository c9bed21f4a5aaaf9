using Microsoft.Extensions.Logging;

namespace Scaler.Cli.Commands;

/// <summary>Log lines of <see cref="WorkerManagerType{TOptions, TSettings}"/> (the generator takes no generic class).</summary>
internal static partial class WorkerManagerTypeLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "{Type} worker manager: {Reason}")]
    public static partial void BadOptions(ILogger logger, string type, string reason);
}
