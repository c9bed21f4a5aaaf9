using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Scaler.Hosting.Logging;

/// <summary>
/// Writes log lines in the reference's shape: <c>2026-01-02 03:04:05+0000 INFO scheduler[1234]: message</c>.
/// The verbose form (used for files) adds the logger category before the colon.
/// </summary>
internal sealed class LogLineFormatter
{
    private readonly TimeProvider _timeProvider;
    private readonly string _processTag;

    public LogLineFormatter(TimeProvider timeProvider, string processName, int processId)
    {
        _timeProvider = timeProvider;
        _processTag = $"{processName}[{processId.ToString(CultureInfo.InvariantCulture)}]";
    }

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "CRITICAL",
    };

    public string Format(LogLevel level, string category, string message, Exception? exception, bool verbose)
    {
        var now = _timeProvider.GetLocalNow();
        var builder = new StringBuilder(64 + message.Length);
        builder.Append(now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        AppendOffset(builder, now.Offset);
        builder.Append(' ').Append(LevelName(level)).Append(' ').Append(_processTag);
        if (verbose)
        {
            builder.Append(' ').Append(category);
        }

        builder.Append(": ").Append(message);
        if (exception is not null)
        {
            builder.AppendLine().Append(exception);
        }

        return builder.ToString();
    }

    private static void AppendOffset(StringBuilder builder, TimeSpan offset)
    {
        // Python's %z: +HHMM without a colon.
        builder.Append(offset < TimeSpan.Zero ? '-' : '+');
        var absolute = offset.Duration();
        builder.Append(absolute.Hours.ToString("00", CultureInfo.InvariantCulture));
        builder.Append(absolute.Minutes.ToString("00", CultureInfo.InvariantCulture));
    }
}
