using Tomlyn;
using Tomlyn.Model;

namespace Scaler.Hosting.Configuration;

/// <summary>Reads a TOML configuration file; syntax errors name the file, line and column.</summary>
public static class TomlConfigFile
{
    public static TomlTable Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationException($"cannot read config file '{path}': {e.Message}", e);
        }

        return Parse(text, path);
    }

    public static TomlTable Parse(string text, string sourceName)
    {
        try
        {
            return TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = sourceName })
                ?? new TomlTable();
        }
        catch (TomlException e)
        {
            var first = e.Diagnostics?.FirstOrDefault(d => d.Kind == Tomlyn.Syntax.DiagnosticMessageKind.Error);
            var message = first?.Message ?? e.Message;
            var where = e.Line > 0 ? $"line {e.Line}, column {e.Column}" : "an unknown position";
            throw new ConfigurationException($"invalid TOML in {sourceName} at {where}: {message}", e);
        }
    }
}
