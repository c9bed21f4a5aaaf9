using Scaler.Hosting.Configuration;
using Tomlyn.Model;

namespace Scaler.Hosting.CommandLine;

/// <summary>Finds a tool's table in a loaded config file; returns null when the file has none.</summary>
public delegate (TomlTable? Table, string Label) SectionLocator(TomlTable root, string fileName);

/// <summary>The usual locators.</summary>
public static class SectionLocators
{
    /// <summary>The top-level table named like the section, e.g. <c>[scheduler]</c>.</summary>
    public static SectionLocator ByName(string sectionName) => (root, fileName) =>
    {
        ArgumentNullException.ThrowIfNull(root);
        var label = $"[{sectionName}] of {fileName}";
        return root.TryGetValue(sectionName, out var raw) switch
        {
            false => (null, label),
            true when raw is TomlTable table => (table, label),
            _ => throw new ConfigurationException(
                $"'{sectionName}' in {fileName} must be a table ([{sectionName}]), got {TomlValueText.Describe(raw)}"),
        };
    };
}
