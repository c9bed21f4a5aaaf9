using System.CommandLine;

namespace Scaler.Hosting.Configuration;

/// <summary>
/// One configurable value, described once. Its TOML key is snake_case (<c>object_storage_address</c>); its long flag is
/// derived from the key (<c>--object-storage-address</c>); it may have a short alias (<c>-osa</c>) or be positional.
/// </summary>
public abstract class OptionSpec
{
    private protected OptionSpec(string key, string help)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
        {
            throw new ArgumentException($"option key '{key}' must be snake_case", nameof(key));
        }

        Key = key;
        Help = help;
    }

    /// <summary>The TOML key; hyphens are also accepted in files (<c>io-threads</c>).</summary>
    public string Key { get; }

    public string LongFlag => "--" + Key.Replace('_', '-');

    /// <summary>The single-dash alias, e.g. <c>-osa</c>, or null.</summary>
    public string? ShortAlias { get; init; }

    /// <summary>Given on the command line by position rather than by flag; still a TOML key.</summary>
    public bool Positional { get; init; }

    /// <summary>Must come from the command line or TOML; there is no default.</summary>
    public bool Required { get; init; }

    public string Help { get; }

    public abstract string TypeName { get; }

    /// <summary>The text shown for the default in help, or null when there is none.</summary>
    public abstract string? DefaultText { get; }

    internal abstract bool HasDefault { get; }

    internal abstract object? DefaultBoxed { get; }

    internal abstract Symbol CreateSymbol();

    /// <summary>The value given on the command line, or false when the user did not give one.</summary>
    internal abstract bool TryReadCommandLine(ParseResult parseResult, Symbol symbol, out object? value);

    /// <summary>Converts a raw TOML value; throws <see cref="FormatException"/> saying what was expected.</summary>
    internal abstract object? ConvertToml(object tomlValue);

    /// <summary>Checks a value against the spec's rule; returns an error or null.</summary>
    internal abstract string? Check(object? value);

    /// <summary>How the option is named in messages: the flag (and alias) or the positional name.</summary>
    public string DisplayName => Positional ? $"<{Key}>" : ShortAlias is null ? LongFlag : $"{LongFlag}/{ShortAlias}";
}
