using System.Globalization;
using Tomlyn.Model;

namespace Scaler.Hosting.Configuration;

/// <summary>The value types options can have. Each reads command-line text and TOML values the same way.</summary>
public static class OptionTypes
{
    public static OptionValueType<string> String { get; } = new(
        "string",
        CliShape.Single,
        tokens => tokens[0],
        raw => raw as string ?? throw new FormatException("expected a string"),
        value => value);

    public static OptionValueType<int> Int32 { get; } = Integer("integer", int.MinValue, int.MaxValue, v => (int)v);

    public static OptionValueType<uint> UInt32 { get; } = Integer("non-negative integer", uint.MinValue, uint.MaxValue, v => (uint)v);

    public static OptionValueType<long> Int64 { get; } = Integer("integer", long.MinValue, long.MaxValue, v => v);

    public static OptionValueType<double> Double { get; } = new(
        "number",
        CliShape.Single,
        tokens => ParseDouble(tokens[0]),
        raw => raw switch
        {
            double d => d,
            long l => l,
            _ => throw new FormatException("expected a number"),
        },
        value => value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>A duration written as a number of seconds (fractions allowed), as the reference's timeouts are.</summary>
    public static OptionValueType<TimeSpan> Seconds { get; } = new(
        "seconds",
        CliShape.Single,
        tokens => FromSeconds(ParseDouble(tokens[0])),
        raw => raw switch
        {
            double d => FromSeconds(d),
            long l => FromSeconds(l),
            _ => throw new FormatException("expected a number of seconds"),
        },
        value => value.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>A switch: <c>--protected</c> alone means true; <c>--protected false</c> is also accepted.</summary>
    public static OptionValueType<bool> Flag { get; } = new(
        "boolean",
        CliShape.Flag,
        tokens => tokens.Count == 0 || ParseBool(tokens[0]),
        raw => raw as bool? ?? throw new FormatException("expected true or false"),
        value => value ? "true" : "false");

    public static OptionValueType<IReadOnlyList<string>> StringList { get; } = new(
        "list of strings",
        CliShape.List,
        tokens => tokens.ToArray(),
        raw => raw switch
        {
            string single => [single],
            TomlArray array => array.Select(item => item as string ?? throw new FormatException("expected a list of strings")).ToArray(),
            _ => throw new FormatException("expected a list of strings"),
        },
        value => string.Join(' ', value));

    /// <summary>A socket address kept as text; <see cref="AddressSyntax"/> checks it.</summary>
    public static OptionValueType<string> Address { get; } = new(
        "address",
        CliShape.Single,
        tokens => CheckAddress(tokens[0]),
        raw => CheckAddress(raw as string ?? throw new FormatException("expected an address string such as \"tcp://127.0.0.1:2345\"")),
        value => value);

    /// <summary>
    /// Worker capabilities written as <c>"linux,cpu=4"</c>: a name alone means -1 (present, no amount).
    /// </summary>
    public static OptionValueType<IReadOnlyDictionary<string, long>> Capabilities { get; } = new(
        "capabilities such as \"linux,cpu=4\"",
        CliShape.Single,
        tokens => ParseCapabilities(tokens[0]),
        raw => ParseCapabilities(raw as string ?? throw new FormatException("expected a string such as \"linux,cpu=4\"")),
        value => string.Join(',', value.Select(kv => kv.Value == -1 ? kv.Key : kv.Key + "=" + kv.Value.ToString(CultureInfo.InvariantCulture))));

    /// <summary>One of a fixed set of names (matched ignoring case), each standing for a value.</summary>
    public static OptionValueType<T> Choice<T>(params (string Name, T Value)[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var names = choices.Select(c => c.Name).ToArray();
        var expected = "one of " + string.Join(", ", names);

        T Lookup(string text)
        {
            foreach (var (name, value) in choices)
            {
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }

            throw new FormatException("expected " + expected);
        }

        string Format(T value)
        {
            foreach (var (name, candidate) in choices)
            {
                if (EqualityComparer<T>.Default.Equals(candidate, value))
                {
                    return name;
                }
            }

            return value?.ToString() ?? "";
        }

        return new OptionValueType<T>(
            expected,
            CliShape.Single,
            tokens => Lookup(tokens[0]),
            raw => Lookup(raw as string ?? throw new FormatException("expected a string, " + expected)),
            Format,
            names);
    }

    /// <summary>A choice whose values are the names themselves.</summary>
    public static OptionValueType<string> Choice(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Choice(names.Select(n => (n, n)).ToArray());
    }

    private static OptionValueType<T> Integer<T>(string name, long min, ulong max, Func<long, T> convert)
    {
        var range = $"an integer from {min} to {max}";
        var wrongKind = min == 0 ? "expected a non-negative integer" : "expected an integer";

        T Check(long value) => value >= min && (value < 0 || (ulong)value <= max)
            ? convert(value)
            : throw new FormatException("expected " + range);

        return new OptionValueType<T>(
            name,
            CliShape.Single,
            tokens => long.TryParse(tokens[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                ? Check(parsed)
                : throw new FormatException(wrongKind),
            raw => raw is long l ? Check(l) : throw new FormatException(wrongKind),
            value => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
    }

    private static Dictionary<string, long> ParseCapabilities(string text)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (text.Length == 0)
        {
            return result;
        }

        foreach (var item in text.Split(','))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? item : item[..equals]).Trim();
            if (name.Length == 0)
            {
                throw new FormatException($"capability '{item}' has no name");
            }

            if (equals < 0)
            {
                result[name] = -1;
            }
            else if (long.TryParse(item[(equals + 1)..], NumberStyles.AllowLeadingSign | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out var amount))
            {
                result[name] = amount;
            }
            else
            {
                throw new FormatException($"capability '{name}' needs an integer after '=', got '{item[(equals + 1)..]}'");
            }
        }

        return result;
    }

    private static double ParseDouble(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new FormatException("expected a number");

    private static TimeSpan FromSeconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new FormatException("expected a number of seconds");

    private static bool ParseBool(string text) => text.ToUpperInvariant() switch
    {
        "TRUE" => true,
        "FALSE" => false,
        _ => throw new FormatException("expected true or false"),
    };

    private static string CheckAddress(string text) =>
        AddressSyntax.Validate(text) is { } error ? throw new FormatException(error) : text;
}
