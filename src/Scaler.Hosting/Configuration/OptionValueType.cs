namespace Scaler.Hosting.Configuration;

/// <summary>
/// How one kind of value is read from command-line text and from a TOML value, and written back as text.
/// Parsers throw <see cref="FormatException"/> with a message that says what was expected.
/// </summary>
public sealed class OptionValueType<T>
{
    private readonly Func<IReadOnlyList<string>, T> _parseTokens;
    private readonly Func<object, T> _fromToml;
    private readonly Func<T, string> _format;

    internal OptionValueType(
        string displayName,
        CliShape shape,
        Func<IReadOnlyList<string>, T> parseTokens,
        Func<object, T> fromToml,
        Func<T, string> format,
        IReadOnlyList<string>? choices = null)
    {
        DisplayName = displayName;
        Shape = shape;
        _parseTokens = parseTokens;
        _fromToml = fromToml;
        _format = format;
        Choices = choices;
    }

    /// <summary>What the value is, as said in error messages and help ("integer", "one of DEBUG, INFO").</summary>
    public string DisplayName { get; }

    internal CliShape Shape { get; }

    internal IReadOnlyList<string>? Choices { get; }

    internal T ParseTokens(IReadOnlyList<string> tokens) => _parseTokens(tokens);

    internal T FromToml(object tomlValue) => _fromToml(tomlValue);

    internal string Format(T value) => _format(value);
}
