using Tomlyn.Model;

namespace Scaler.Hosting.Configuration;

/// <summary>
/// Reads one TOML table into a section's values. Every key must name an option (hyphens may stand for underscores),
/// a group sub-table, or a structural key; anything else is an error that lists the keys the section knows.
/// </summary>
internal static class TomlSectionReader
{
    public static void Read<TOptions>(ConfigSection<TOptions> section, TomlTable table, string label, OptionValues values)
    {
        var byKey = section.Options.ToDictionary(s => s.Key, StringComparer.Ordinal);
        var groups = section.Groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        var seenFrom = new Dictionary<OptionSpec, string>();

        foreach (var (rawKey, rawValue) in table)
        {
            var key = Normalize(rawKey);
            if (section.StructuralKeys.Contains(key, StringComparer.Ordinal))
            {
                continue;
            }

            if (groups.TryGetValue(key, out var group) && rawValue is TomlTable groupTable)
            {
                var groupLabel = NestedLabel(label, group.Name);
                var groupKeys = group.Options.ToDictionary(s => s.Key, StringComparer.Ordinal);
                foreach (var (groupRawKey, groupRawValue) in groupTable)
                {
                    var groupKey = Normalize(groupRawKey);
                    if (!groupKeys.TryGetValue(groupKey, out var groupSpec))
                    {
                        throw UnknownKey(groupRawKey, groupLabel, group.Options.Select(s => s.Key));
                    }

                    Store(groupSpec, groupRawKey, groupRawValue, groupLabel, values, seenFrom);
                }

                continue;
            }

            if (!byKey.TryGetValue(key, out var spec))
            {
                var known = section.Options.Select(s => s.Key)
                    .Concat(section.Groups.Select(g => g.Name + ".*"))
                    .Concat(section.StructuralKeys);
                throw UnknownKey(rawKey, label, known);
            }

            Store(spec, rawKey, rawValue, label, values, seenFrom);
        }
    }

    private static void Store(
        OptionSpec spec,
        string rawKey,
        object? rawValue,
        string label,
        OptionValues values,
        Dictionary<OptionSpec, string> seenFrom)
    {
        if (seenFrom.TryGetValue(spec, out var earlier))
        {
            throw new ConfigurationException($"'{spec.Key}' is given twice: in {earlier} and as '{rawKey}' in {label}");
        }

        seenFrom.Add(spec, label);
        try
        {
            values.Set(spec, spec.ConvertToml(rawValue!), OptionSource.Toml);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException(
                $"wrong type for '{rawKey}' in {label}: {e.Message}, got {TomlValueText.Describe(rawValue)}",
                e);
        }
    }

    private static ConfigurationException UnknownKey(string key, string label, IEnumerable<string> known)
    {
        var knownList = known.ToList();
        var suggestion = ClosestName.Find(Normalize(key), knownList) is { } close ? $" (did you mean '{close}'?)" : "";
        return new ConfigurationException(
            $"unknown key '{key}' in {label}{suggestion}; known keys: {string.Join(", ", knownList)}");
    }

    /// <summary>"[scheduler] of f.toml" becomes "[scheduler.logging_config] of f.toml".</summary>
    private static string NestedLabel(string label, string groupName)
    {
        var close = label.IndexOf(']', StringComparison.Ordinal);
        return label.StartsWith('[') && !label.StartsWith("[[", StringComparison.Ordinal) && close > 0
            ? $"{label[..close]}.{groupName}{label[close..]}"
            : $"{label}, sub-table '{groupName}'";
    }

    private static string Normalize(string key) => key.Replace('-', '_');
}
