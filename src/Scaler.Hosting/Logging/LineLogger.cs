using Microsoft.Extensions.Logging;

namespace Scaler.Hosting.Logging;

/// <summary>A logger for one category that formats each entry once per line shape and hands it to every sink.</summary>
internal sealed class LineLogger : ILogger
{
    private readonly string _category;
    private readonly LineLoggerProvider _provider;

    public LineLogger(string category, LineLoggerProvider provider)
    {
        _category = category;
        _provider = provider;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= _provider.MinimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        string? plain = null;
        string? verbose = null;
        foreach (var sink in _provider.Sinks)
        {
            var line = sink.Verbose
                ? verbose ??= _provider.Formatter.Format(logLevel, _category, message, exception, verbose: true)
                : plain ??= _provider.Formatter.Format(logLevel, _category, message, exception, verbose: false);
            sink.WriteLine(line);
        }
    }
}
