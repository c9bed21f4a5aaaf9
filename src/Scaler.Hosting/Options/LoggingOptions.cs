using Microsoft.Extensions.Logging;
using Scaler.Hosting.Configuration;

namespace Scaler.Hosting.Options;

/// <summary>
/// Where and how much a tool logs: <c>--logging-level/-ll</c>, <c>--logging-paths/-lp</c>,
/// <c>--logging-config-file/-lcf</c>. <c>/dev/stdout</c> and <c>/dev/stderr</c> mean the console streams.
/// </summary>
public sealed record LoggingOptions(IReadOnlyList<string> Paths, string? ConfigFile, LogLevel Level)
{
    public const string StandardOutput = "/dev/stdout";
    public const string StandardError = "/dev/stderr";

    public static OptionValueType<LogLevel> LevelType { get; } = OptionTypes.Choice(
        ("DEBUG", LogLevel.Debug),
        ("INFO", LogLevel.Information),
        ("WARNING", LogLevel.Warning),
        ("ERROR", LogLevel.Error),
        ("CRITICAL", LogLevel.Critical));

    internal static readonly OptionSpec<IReadOnlyList<string>> PathsSpec = new(
        "logging_paths",
        OptionTypes.StringList,
        "where to write the log; several paths allowed; /dev/stdout and /dev/stderr are the console streams")
    {
        ShortAlias = "-lp",
        Default = [StandardOutput],
    };

    internal static readonly OptionSpec<string> ConfigFileSpec = new(
        "logging_config_file",
        OptionTypes.String,
        "a Python logging .conf file (reference only; Scaler.NET warns and uses the other logging options)")
    {
        ShortAlias = "-lcf",
    };

    internal static readonly OptionSpec<LogLevel> LevelSpec = new("logging_level", LevelType, "the lowest level that is logged")
    {
        ShortAlias = "-ll",
        Default = LogLevel.Information,
    };

    /// <summary>The reference's nested field is named <c>logging_config</c>, so that is the sub-table name.</summary>
    public static OptionGroup Group { get; } = new("logging_config", [LevelSpec, PathsSpec, ConfigFileSpec]);

    public static LoggingOptions Default { get; } = new([StandardOutput], null, LogLevel.Information);

    internal static LoggingOptions From(OptionValues values) =>
        new(values.Get(PathsSpec), values.Get(ConfigFileSpec), values.Get(LevelSpec));
}
