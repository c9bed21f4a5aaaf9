using Scaler.Hosting.Configuration;
using Tomlyn.Model;

namespace Scaler.Hosting.Sections;

/// <summary>
/// The worker manager types this build understands, keyed by their <c>type</c> tag, and the lookup of a type's
/// entry in the <c>[[worker_manager]]</c> array of a config file.
/// </summary>
public static class WorkerManagerTypes
{
    public const string TableName = "worker_manager";
    public const string TypeKey = "type";

    /// <summary>Types the reference has that Scaler.NET does not describe yet; named in errors so users know why.</summary>
    public static IReadOnlyList<string> NotYetSupported { get; } =
        ["aws_raw_ecs", "aws_hpc", "orb_aws_ec2", "oci_raw", "oci_hpc"];

    public static IReadOnlyDictionary<string, IConfigSection<WorkerManagerOptions>> Sections { get; } =
        new Dictionary<string, IConfigSection<WorkerManagerOptions>>(StringComparer.Ordinal)
        {
            [NativeWorkerManagerOptions.TypeName] = NativeWorkerManagerOptions.Section,
            [SymphonyWorkerManagerOptions.TypeName] = SymphonyWorkerManagerOptions.Section,
        };

    /// <summary>The <c>[[worker_manager]]</c> entries of a file; a single <c>[worker_manager]</c> table counts as one.</summary>
    public static IReadOnlyList<TomlTable> Entries(TomlTable root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return root.TryGetValue(TableName, out var raw) ? raw switch
        {
            TomlTableArray array => array.ToList(),
            TomlTable single => [single],
            _ => throw new ConfigurationException(
                $"'{TableName}' must be a table array ([[{TableName}]]), got {TomlValueText.Describe(raw)}"),
        } : [];
    }

    /// <summary>The entry's <c>type</c>, checked against the known types.</summary>
    public static string TypeOf(TomlTable entry, string label)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!entry.TryGetValue(TypeKey, out var raw) || raw is not string type)
        {
            throw new ConfigurationException($"{label} needs a string key 'type', one of: {string.Join(", ", Sections.Keys)}");
        }

        if (Sections.ContainsKey(type))
        {
            return type;
        }

        throw new ConfigurationException(NotYetSupported.Contains(type, StringComparer.Ordinal)
            ? $"{label} has type \"{type}\", which Scaler.NET does not support yet; supported: {string.Join(", ", Sections.Keys)}"
            : $"{label} has unknown type \"{type}\"; known types: {string.Join(", ", Sections.Keys)}");
    }

    /// <summary>The one entry of the given type, as <c>scaler_worker_manager TYPE --config FILE</c> needs.</summary>
    public static TomlTable FindSingle(TomlTable root, string type, string fileName)
    {
        var matching = Entries(root)
            .Where(e => e.TryGetValue(TypeKey, out var t) && t is string s && s == type)
            .ToList();
        return matching.Count switch
        {
            1 => matching[0],
            0 => throw new ConfigurationException($"no [[{TableName}]] with type = \"{type}\" in {fileName}"),
            _ => throw new ConfigurationException(
                $"{matching.Count} [[{TableName}]] entries with type = \"{type}\" in {fileName}, expected exactly one"),
        };
    }

    /// <summary>How an entry is named in messages.</summary>
    public static string Label(int index, string? type) =>
        type is null ? $"[[{TableName}]] #{index + 1}" : $"[[{TableName}]] #{index + 1} (type = \"{type}\")";
}
