using System.CommandLine;
using Tomlyn.Model;

namespace Scaler.Hosting.Configuration;

/// <summary>What every section can do without knowing its options type: name itself and bind a TOML table.</summary>
public interface IConfigSection<out TOptions>
{
    /// <summary>The TOML table name, e.g. <c>scheduler</c>.</summary>
    string Name { get; }

    /// <summary>Builds options from one TOML table alone (as <c>scaler config.toml</c> does).</summary>
    TOptions BindToml(TomlTable table, string label);
}

/// <summary>
/// A TOML section and the command-line options of the tool that reads it, described once. Both the command line and
/// the TOML binding are derived from <see cref="Options"/>; <c>build</c> turns merged values into the options record
/// and may reject combinations by throwing <see cref="ConfigurationException"/>.
/// </summary>
public sealed class ConfigSection<TOptions> : IConfigSection<TOptions>
{
    private readonly Func<OptionValues, TOptions> _build;

    public ConfigSection(
        string name,
        IReadOnlyList<OptionSpec> options,
        IReadOnlyList<OptionGroup> groups,
        Func<OptionValues, TOptions> build)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(build);
        Name = name;
        OwnOptions = options;
        Groups = groups;
        Options = [.. options, .. groups.SelectMany(g => g.Options)];
        _build = build;
        CheckNamesAreUnique();
    }

    public string Name { get; }

    /// <summary>The section's own options, then every group's, in declaration order.</summary>
    public IReadOnlyList<OptionSpec> Options { get; }

    public IReadOnlyList<OptionSpec> OwnOptions { get; }

    public IReadOnlyList<OptionGroup> Groups { get; }

    /// <summary>TOML keys that belong to the file's structure rather than to an option (e.g. <c>type</c>).</summary>
    public IReadOnlyList<string> StructuralKeys { get; init; } = [];

    public TOptions BindToml(TomlTable table, string label) => Bind(table, label, []);

    /// <summary>Merges defaults, then the TOML table (if any), then command-line values; checks and builds.</summary>
    internal TOptions Bind(TomlTable? table, string label, IEnumerable<(OptionSpec Spec, object? Value)> commandLine)
    {
        var values = new OptionValues();
        foreach (var spec in Options.Where(s => s.HasDefault))
        {
            values.Set(spec, spec.DefaultBoxed, OptionSource.Default);
        }

        if (table is not null)
        {
            TomlSectionReader.Read(this, table, label, values);
        }

        foreach (var (spec, value) in commandLine)
        {
            values.Set(spec, value, OptionSource.CommandLine);
        }

        foreach (var spec in Options)
        {
            if (!values.IsSet(spec))
            {
                if (spec.Required)
                {
                    throw new ConfigurationException(
                        $"missing required {(spec.Positional ? "argument" : "option")} {spec.DisplayName} "
                        + $"(give it on the command line or as '{spec.Key}' in {label})");
                }

                continue;
            }

            var value = values.GetBoxed(spec);
            if (spec.Check(value) is { } error)
            {
                var from = values.SourceOf(spec) == OptionSource.Toml ? $"'{spec.Key}' in {label}" : spec.DisplayName;
                throw new ConfigurationException($"invalid value for {from}: {error}");
            }
        }

        return _build(values);
    }

    /// <summary>Adds one command-line symbol per option to <paramref name="command"/>.</summary>
    internal IReadOnlyDictionary<OptionSpec, Symbol> AddTo(Command command)
    {
        var symbols = new Dictionary<OptionSpec, Symbol>();
        foreach (var spec in Options.Where(s => s.Positional).Concat(Options.Where(s => !s.Positional)))
        {
            var symbol = spec.CreateSymbol();
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }

            symbols.Add(spec, symbol);
        }

        return symbols;
    }

    private void CheckNamesAreUnique()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in Options)
        {
            if (!seen.Add(spec.Key) || (spec.ShortAlias is { } alias && !seen.Add(alias)))
            {
                throw new ArgumentException($"section [{Name}] declares '{spec.Key}' or its alias twice");
            }
        }
    }
}
