using Microsoft.Extensions.Logging;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Logging;

/// <summary>Builds the logger factory a tool uses from its <see cref="LoggingOptions"/>.</summary>
public static partial class ScalerLogging
{
    /// <summary>
    /// Creates a factory that writes to every path in <paramref name="options"/> (console streams for /dev/stdout,
    /// /dev/stderr and "-", appended files otherwise). Disposing the factory closes the files.
    /// </summary>
    public static ILoggerFactory CreateFactory(
        LoggingOptions options,
        string processName,
        TimeProvider? timeProvider = null,
        TextWriter? standardOutput = null,
        TextWriter? standardError = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sinks = OpenSinks(options.Paths, standardOutput ?? Console.Out, standardError ?? Console.Error);
        var formatter = new LogLineFormatter(timeProvider ?? TimeProvider.System, processName, Environment.ProcessId);
        var provider = new LineLoggerProvider(sinks, options.Level, formatter);
        var factory = LoggerFactory.Create(builder => builder
            .ClearProviders()
            .SetMinimumLevel(options.Level)
            .AddProvider(provider));

        var logger = factory.CreateLogger("Scaler.Hosting");
        if (options.ConfigFile is { } configFile)
        {
            LogConfigFileIgnored(logger, configFile);
        }

        LogDestinations(logger, string.Join(", ", sinks.Select(s => s.Name)));
        return factory;
    }

    private static List<LogSink> OpenSinks(IReadOnlyList<string> paths, TextWriter standardOutput, TextWriter standardError)
    {
        var sinks = new List<LogSink>();
        try
        {
            foreach (var path in paths.Distinct(StringComparer.Ordinal))
            {
                sinks.Add(path switch
                {
                    LoggingOptions.StandardOutput or "-" => new LogSink(LoggingOptions.StandardOutput, standardOutput, ownsWriter: false, verbose: false),
                    LoggingOptions.StandardError => new LogSink(LoggingOptions.StandardError, standardError, ownsWriter: false, verbose: false),
                    _ => LogSink.OpenFile(path),
                });
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            foreach (var sink in sinks)
            {
                sink.Dispose();
            }

            throw new Configuration.ConfigurationException($"cannot open log file: {e.Message}", e);
        }

        return sinks;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "logging to {Destinations}")]
    private static partial void LogDestinations(ILogger logger, string destinations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "logging config file {Path} is a Python logging format that Scaler.NET does not read; using --logging-level and --logging-paths instead")]
    private static partial void LogConfigFileIgnored(ILogger logger, string path);
}
