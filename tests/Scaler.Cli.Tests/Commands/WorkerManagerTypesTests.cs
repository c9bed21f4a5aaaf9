using Scaler.Cli.Commands;
using Scaler.Cli.Launch;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;

namespace Scaler.Cli.Tests.Commands;

/// <summary>The one registry of worker manager types: the command and the launcher know exactly the types it lists.</summary>
public sealed class WorkerManagerTypesTests
{
    [Fact]
    public void All_ListsTheTypesThisBuildRuns_OnceEach()
    {
        Assert.Equal(["baremetal_native", "symphony"], WorkerManagerTypes.All.Select(t => t.Name));
    }

    [Fact]
    public void WorkerManagerCommand_HasOneSubCommandPerType_NamedLikeIt()
    {
        var command = WorkerManagerCommand.Create();

        Assert.Equal(WorkerManagerTypes.All.Select(t => t.Name), command.Subcommands.Select(c => c.Name));
    }

    [Fact]
    public void Of_EveryRegisteredType_IsTheDescriptorWhoseSectionBindsTheEntry()
    {
        foreach (var type in WorkerManagerTypes.All)
        {
            var entry = TomlConfigFile.Parse(
                $"type = \"{type.Name}\"\nscheduler_address = \"tcp://127.0.0.1:1\"\nservice_name = \"s\"\n", "s.toml");
            if (type.Name != SymphonyWorkerManagerOptions.TypeName)
            {
                entry.Remove("service_name");
            }

            Assert.Same(type, WorkerManagerTypes.Of(entry, "entry"));
            Assert.Equal(type.Name, type.Section.BindToml(entry, "entry").Type);
        }
    }

    [Fact]
    public void Of_ATypeOfTheReferenceNotRunHere_SaysSoAndListsTheSupportedOnes()
    {
        var error = Assert.Throws<ConfigurationException>(
            () => WorkerManagerTypes.Of(TomlConfigFile.Parse("type = \"aws_hpc\"\n", "s.toml"), "[[worker_manager]] #1"));

        Assert.Equal(
            "[[worker_manager]] #1 has type \"aws_hpc\", which Scaler.NET does not support yet; supported: baremetal_native, symphony",
            error.Message);
    }

    [Fact]
    public void StackConfiguration_BindsEachEntryWithItsTypesSection()
    {
        var stack = StackConfiguration.FromToml(
            TomlConfigFile.Parse(
                string.Concat(WorkerManagerTypes.All.Select(t =>
                    $"[[worker_manager]]\ntype = \"{t.Name}\"\nscheduler_address = \"tcp://127.0.0.1:1\"\n"
                    + (t.Name == SymphonyWorkerManagerOptions.TypeName ? "service_name = \"s\"\n" : ""))),
                "s.toml"),
            "s.toml");

        Assert.Equal(WorkerManagerTypes.All.Select(t => t.Name), stack.WorkerManagers.Select(m => m.Type));
    }
}
