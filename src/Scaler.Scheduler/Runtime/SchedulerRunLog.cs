using Microsoft.Extensions.Logging;

namespace Scaler.Scheduler.Runtime;

/// <summary>Log lines of the command-line entry point.</summary>
internal static partial class SchedulerRunLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "scheduler: {Reason}")]
    public static partial void BadOptions(ILogger logger, string reason);
}
