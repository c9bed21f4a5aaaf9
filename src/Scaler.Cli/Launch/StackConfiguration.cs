using Scaler.Cli.Commands;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Tomlyn.Model;

namespace Scaler.Cli.Launch;

/// <summary>
/// Everything <c>scaler config.toml</c> starts, in start order: object storage, scheduler, worker managers (of the
/// types <see cref="WorkerManagerTypes"/> lists). Each section is bound from the file alone, so positional values such
/// as <c>bind_address</c> must be keys in it.
/// </summary>
internal sealed record StackConfiguration(
    ObjectStorageServerOptions? ObjectStorageServer,
    SchedulerOptions? Scheduler,
    IReadOnlyList<WorkerManagerOptions> WorkerManagers,
    TopOptions? Top,
    IReadOnlyList<string> IgnoredSections)
{
    /// <summary>Sections the reference's launcher reads that Scaler.NET accepts but does not start yet.</summary>
    private static readonly string[] AcceptedButIgnored = ["gui"];

    public bool IsEmpty => ObjectStorageServer is null && Scheduler is null && WorkerManagers.Count == 0 && Top is null;

    public static StackConfiguration Load(string path) => FromToml(TomlConfigFile.Load(path), path);

    public static StackConfiguration FromToml(TomlTable root, string fileName)
    {
        ArgumentNullException.ThrowIfNull(root);
        CheckTopLevelKeys(root, fileName);

        var workerManagers = new List<WorkerManagerOptions>();
        var entries = WorkerManagerEntries.Entries(root);
        for (var index = 0; index < entries.Count; index++)
        {
            var type = WorkerManagerTypes.Of(entries[index], $"{WorkerManagerEntries.Label(index, null)} of {fileName}");
            var label = $"{WorkerManagerEntries.Label(index, type.Name)} of {fileName}";
            workerManagers.Add(type.Section.BindToml(entries[index], label));
        }

        return new StackConfiguration(
            BindOptional(root, ObjectStorageServerOptions.Section, fileName),
            BindOptional(root, SchedulerOptions.Section, fileName),
            workerManagers,
            BindOptional(root, TopOptions.Section, fileName),
            AcceptedButIgnored.Where(root.ContainsKey).ToArray());
    }

    private static TOptions? BindOptional<TOptions>(TomlTable root, IConfigSection<TOptions> section, string fileName)
        where TOptions : class
    {
        if (!root.TryGetValue(section.Name, out var raw))
        {
            return null;
        }

        return raw is TomlTable table
            ? section.BindToml(table, $"[{section.Name}] of {fileName}")
            : throw new ConfigurationException(
                $"'{section.Name}' in {fileName} must be a table ([{section.Name}]), got {TomlValueText.Describe(raw)}");
    }

    private static void CheckTopLevelKeys(TomlTable root, string fileName)
    {
        string[] known =
        [
            ObjectStorageServerOptions.Section.Name, SchedulerOptions.Section.Name, WorkerManagerEntries.TableName,
            TopOptions.Section.Name, .. AcceptedButIgnored,
        ];
        foreach (var key in root.Keys)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                var suggestion = ClosestName.Find(key, known) is { } close ? $" (did you mean [{close}]?)" : "";
                throw new ConfigurationException(
                    $"unknown section '{key}' in {fileName}{suggestion}; known sections: {string.Join(", ", known)}");
            }
        }
    }
}
