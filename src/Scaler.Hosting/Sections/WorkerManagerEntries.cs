using Scaler.Hosting.Configuration;
using Tomlyn.Model;

namespace Scaler.Hosting.Sections;

/// <summary>
/// The <c>[[worker_manager]]</c> entries of a config file: the array, the lookup of a type's one entry, and how an entry
/// is named in messages. Which types exist is Scaler.Cli's registry (<c>WorkerManagerTypes</c>): a type is described
/// there once, with its section and how it runs.
/// </summary>
public static class WorkerManagerEntries
{
    public const string TableName = "worker_manager";
    public const string TypeKey = "type";

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

    /// <summary>The entry's <c>type</c> as written, or null when it has no string <c>type</c> key.</summary>
    public static string? TypeOf(TomlTable entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.TryGetValue(TypeKey, out var raw) && raw is string type ? type : null;
    }

    /// <summary>The one entry of the given type, as <c>scaler_worker_manager TYPE --config FILE</c> needs.</summary>
    public static TomlTable FindSingle(TomlTable root, string type, string fileName)
    {
        var matching = Entries(root)
            .Where(e => TypeOf(e) == type)
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
