using System.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Commands;

/// <summary>
/// One worker manager type as the registry (<see cref="WorkerManagerTypes"/>) lists it, whatever its options: its
/// <c>type</c> tag, the section that reads its entry of a stack file, and its <c>worker-manager TYPE</c> sub-command.
/// </summary>
internal interface IWorkerManagerType
{
    /// <summary>The <c>type</c> key of its <c>[[worker_manager]]</c> entries and its sub-command, e.g. <c>baremetal_native</c>.</summary>
    string Name { get; }

    /// <summary>Its options: command-line flags and TOML keys, described once.</summary>
    IConfigSection<WorkerManagerOptions> Section { get; }

    /// <summary>The sub-command that binds its options, maps them onto the manager's settings and runs it.</summary>
    Command CreateCommand();
}
