using System.CommandLine;
using Scaler.Hosting.Configuration;

namespace Scaler.Hosting.CommandLine;

/// <summary>
/// A System.CommandLine command derived from a <see cref="ConfigSection{TOptions}"/> plus <c>--config/-c</c>, and the
/// binding of a parse result into options: command line over TOML over defaults.
/// </summary>
internal sealed class SectionCommandLine<TOptions>
{
    private readonly ConfigSection<TOptions> _section;
    private readonly IReadOnlyDictionary<OptionSpec, Symbol> _symbols;
    private readonly Option<string> _configFile = ConfigFileOption.Create();
    private readonly SectionLocator _locator;

    public SectionCommandLine(string commandName, string description, ConfigSection<TOptions> section, SectionLocator? locator = null)
    {
        _section = section;
        _locator = locator ?? SectionLocators.ByName(section.Name);
        Command = new Command(commandName, description);
        Command.Options.Add(_configFile);
        _symbols = section.AddTo(Command);
    }

    public Command Command { get; }

    /// <summary>Reads the config file named by <c>--config</c> (if any) and merges it with the command line.</summary>
    public TOptions Bind(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var (table, label) = parseResult.GetValue(_configFile) is { } path
            ? _locator(TomlConfigFile.Load(path), path)
            : (null, $"[{_section.Name}]");
        var fromCommandLine = new List<(OptionSpec, object?)>();
        foreach (var (spec, symbol) in _symbols)
        {
            if (spec.TryReadCommandLine(parseResult, symbol, out var value))
            {
                fromCommandLine.Add((spec, value));
            }
        }

        return _section.Bind(table, label, fromCommandLine);
    }
}
