using System.CommandLine;
using Microsoft.Extensions.Logging;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Commands;

/// <summary>
/// A worker manager type described once: its name, its section (the CLI record <typeparamref name="TOptions"/>), the
/// mapping of that record onto the manager's own settings <typeparamref name="TSettings"/>, and how the manager runs.
/// Adding a type is one of these and one line in <see cref="WorkerManagerTypes"/>.
/// </summary>
internal sealed class WorkerManagerType<TOptions, TSettings> : IWorkerManagerType
    where TOptions : WorkerManagerOptions
{
    private readonly string _description;
    private readonly Func<TOptions, TSettings> _toSettings;
    private readonly Func<TSettings, ILoggerFactory, CancellationToken, Task<int>> _run;

    /// <param name="toSettings">the mapping; throws <see cref="FormatException"/> for an address the transport cannot use</param>
    public WorkerManagerType(
        string name,
        string description,
        ConfigSection<TOptions> section,
        Func<TOptions, TSettings> toSettings,
        Func<TSettings, ILoggerFactory, CancellationToken, Task<int>> run)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(toSettings);
        ArgumentNullException.ThrowIfNull(run);
        Name = name;
        _description = description;
        Section = section;
        _toSettings = toSettings;
        _run = run;
    }

    public string Name { get; }

    public ConfigSection<TOptions> Section { get; }

    IConfigSection<WorkerManagerOptions> IWorkerManagerType.Section => Section;

    /// <summary>The manager's settings for a bound entry.</summary>
    public TSettings ToSettings(TOptions options) => _toSettings(options);

    public Command CreateCommand() => CreateCommand(RunAsync);

    /// <summary>The sub-command with another run hook (tests see what was bound).</summary>
    /// <remarks>With <c>--config</c>, the one <c>[[worker_manager]]</c> entry of this type supplies the file's values.</remarks>
    public Command CreateCommand(ToolEntryPoint<TOptions> run) => ToolCommand.Create(
        Name,
        _description,
        Section,
        options => options.Logging,
        processName: Name,
        run,
        (root, fileName) => (WorkerManagerEntries.FindSingle(root, Name, fileName), $"[[worker_manager]] (type = \"{Name}\") of {fileName}"),
        options => [options.Manager.SchedulerAddress, options.Manager.WorkerSchedulerAddress, options.Manager.ObjectStorageAddress]);

    /// <summary>Maps the options and runs the manager; an address the transport cannot use is one line and exit code 2.</summary>
    public Task<int> RunAsync(TOptions options, ILoggerFactory loggerFactory, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        TSettings settings;
        try
        {
            settings = _toSettings(options);
        }
        catch (FormatException error)
        {
            WorkerManagerTypeLog.BadOptions(loggerFactory.CreateLogger("Scaler.Cli"), Name, error.Message);
            return Task.FromResult(ExitCodes.UsageError);
        }

        return _run(settings, loggerFactory, shutdown);
    }
}
