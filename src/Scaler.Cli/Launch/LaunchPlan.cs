using Scaler.Cli.Commands;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Tomlyn;
using Tomlyn.Model;

namespace Scaler.Cli.Launch;

/// <summary>
/// What <c>scaler config.toml</c> starts, in order (object storage server, scheduler, worker managers), and the notes
/// it prints about sections it does not start.
/// </summary>
/// <remarks>
/// A child reads its own section with its own sub-command and <c>--config</c>, so the children's parsing stays the one
/// source of truth: <c>object-storage-server --config FILE</c>, <c>scheduler --config FILE</c> and
/// <c>worker-manager TYPE --config FILE</c>. That last one takes the single <c>[[worker_manager]]</c> entry of its type;
/// when the file has several entries of one type, each of them is copied alone into its own file in a scratch directory
/// and the child gets that file.
/// </remarks>
internal sealed record LaunchPlan(IReadOnlyList<ChildSpec> Children, IReadOnlyList<string> Notes)
{
    public const string ObjectStorageServerName = "object_storage_server";
    public const string SchedulerName = "scheduler";

    /// <param name="stack">the file's sections, already checked</param>
    /// <param name="configPath">the file; children get its full path</param>
    /// <param name="scratchDirectory">creates the directory for per-entry files; called at most once, and only when one is needed</param>
    public static LaunchPlan Create(StackConfiguration stack, string configPath, Func<string> scratchDirectory)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(scratchDirectory);
        var fullPath = Path.GetFullPath(configPath);
        var children = new List<ChildSpec>();
        var notes = new List<string>();
        if (stack.ObjectStorageServer is { } storage)
        {
            // Wait for it to listen before starting the scheduler, unless the port is only known to the server (0).
            var ready = ScalerAddress.TryParse(storage.BindAddress, out var address) && address.Port != 0 ? storage.BindAddress : null;
            children.Add(new ChildSpec(ObjectStorageServerName, [ObjectStorageServerCommand.Name, ConfigFlag, fullPath], ready));
        }

        if (stack.Scheduler is not null)
        {
            children.Add(new ChildSpec(SchedulerName, [SchedulerCommand.Name, ConfigFlag, fullPath]));
        }

        TomlTable? root = null;
        string? scratch = null;
        for (var index = 0; index < stack.WorkerManagers.Count; index++)
        {
            var manager = stack.WorkerManagers[index];
            var file = fullPath;
            if (stack.WorkerManagers.Count(m => m.Type == manager.Type) > 1)
            {
                root ??= TomlConfigFile.Load(fullPath);
                file = WriteSingleEntry(WorkerManagerEntries.Entries(root)[index], index, scratch ??= scratchDirectory());
            }

            children.Add(new ChildSpec(
                WorkerManagerName(manager, index),
                [WorkerManagerCommand.Name, manager.Type, ConfigFlag, file]));
        }

        if (stack.Top is not null)
        {
            notes.Add($"[top] is not started: top is interactive; run it in a terminal with: scaler_top --config {fullPath}");
        }

        notes.AddRange(stack.IgnoredSections.Select(name => $"[{name}] is not supported by Scaler.NET yet; ignored"));
        return new LaunchPlan(children, notes);
    }

    /// <summary>
    /// The child's display name: <c>worker_manager:ID</c>, or <c>worker_manager:TYPE#N</c> (N = the entry's position
    /// in the file, from 1) when the entry has no <c>worker_manager_id</c>: the child then derives its own ID from its
    /// process, which the launcher cannot know in advance.
    /// </summary>
    public static string WorkerManagerName(WorkerManagerOptions manager, int index)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return manager.Manager.WorkerManagerIdDerived
            ? $"worker_manager:{manager.Type}#{(index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            : $"worker_manager:{manager.Manager.WorkerManagerId}";
    }

    private const string ConfigFlag = "--config";

    private static string WriteSingleEntry(TomlTable entry, int index, string directory)
    {
        var alone = new TomlTable { [WorkerManagerEntries.TableName] = new TomlTableArray { entry } };
        var path = Path.Combine(directory, $"worker_manager_{index + 1}.toml");
        File.WriteAllText(path, TomlSerializer.Serialize(alone));
        return path;
    }
}
