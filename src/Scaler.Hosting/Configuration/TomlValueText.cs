using System.Globalization;
using Tomlyn.Model;

namespace Scaler.Hosting.Configuration;

/// <summary>Describes a raw TOML value for error messages: its TOML kind and a short rendering.</summary>
public static class TomlValueText
{
    private const int MaxRenderedLength = 60;

    public static string Describe(object? value) => $"{KindOf(value)} {Render(value)}";

    public static string KindOf(object? value) => value switch
    {
        null => "nothing",
        string => "string",
        long or int => "integer",
        double or float => "float",
        bool => "boolean",
        TomlArray => "array",
        TomlTable => "table",
        TomlTableArray => "array of tables",
        _ => "date/time",
    };

    public static string Render(object? value)
    {
        var text = value switch
        {
            null => "",
            string s => "\"" + s + "\"",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            TomlArray a => "[" + string.Join(", ", a.Select(Render)) + "]",
            TomlTable t => "{ " + string.Join(", ", t.Select(kv => kv.Key + " = " + Render(kv.Value))) + " }",
            TomlTableArray => "[[...]]",
            _ => value.ToString() ?? "",
        };
        return text.Length <= MaxRenderedLength ? text : string.Concat(text.AsSpan(0, MaxRenderedLength), "...");
    }
}
