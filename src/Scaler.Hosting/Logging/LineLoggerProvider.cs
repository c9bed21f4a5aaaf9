using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Scaler.Hosting.Logging;

/// <summary>Provides <see cref="LineLogger"/>s writing to a fixed set of sinks; owns and closes the sinks.</summary>
internal sealed class LineLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, LineLogger> _loggers = new(StringComparer.Ordinal);

    public LineLoggerProvider(IReadOnlyList<LogSink> sinks, LogLevel minimumLevel, LogLineFormatter formatter)
    {
        Sinks = sinks;
        MinimumLevel = minimumLevel;
        Formatter = formatter;
    }

    public IReadOnlyList<LogSink> Sinks { get; }

    public LogLevel MinimumLevel { get; }

    public LogLineFormatter Formatter { get; }

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new LineLogger(name, this));

    public void Dispose()
    {
        foreach (var sink in Sinks)
        {
            sink.Dispose();
        }
    }
}
