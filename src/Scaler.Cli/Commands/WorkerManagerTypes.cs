using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Tomlyn.Model;

namespace Scaler.Cli.Commands;

/// <summary>
/// The worker manager types this build runs: the one list that both <c>worker-manager TYPE</c> and the launcher's
/// <c>[[worker_manager]]</c> entries read. Adding a type is one line here and its descriptor beside it.
/// </summary>
internal static class WorkerManagerTypes
{
    /// <summary>Every type, in the order errors and help list them.</summary>
    public static IReadOnlyList<IWorkerManagerType> All { get; } = [NativeWorkerManagerType.Descriptor, SymphonyWorkerManagerType.Descriptor];

    /// <summary>Types the reference has that Scaler.NET does not run yet; named in errors so users know why.</summary>
    public static IReadOnlyList<string> NotYetSupported { get; } =
        ["aws_raw_ecs", "aws_hpc", "orb_aws_ec2", "oci_raw", "oci_hpc"];

    /// <summary>The type of a <c>[[worker_manager]]</c> entry, checked against the known types.</summary>
    /// <exception cref="ConfigurationException">The entry has no <c>type</c>, or one this build does not run.</exception>
    public static IWorkerManagerType Of(TomlTable entry, string label)
    {
        var names = string.Join(", ", All.Select(t => t.Name));
        var type = WorkerManagerEntries.TypeOf(entry)
            ?? throw new ConfigurationException($"{label} needs a string key 'type', one of: {names}");
        if (All.FirstOrDefault(t => t.Name == type) is { } known)
        {
            return known;
        }

        throw new ConfigurationException(NotYetSupported.Contains(type, StringComparer.Ordinal)
            ? $"{label} has type \"{type}\", which Scaler.NET does not support yet; supported: {names}"
            : $"{label} has unknown type \"{type}\"; known types: {names}");
    }
}
