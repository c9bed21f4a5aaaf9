using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Sections;

namespace Scaler.Hosting.Tests.Configuration;

/// <summary>Without -osa the scheduler starts its own object storage server, so the option must be optional.</summary>
public sealed class SchedulerEmbeddedStorageTests
{
    private static SchedulerOptions Parse(string commandLine)
    {
        var model = new SectionCommandLine<SchedulerOptions>("scheduler", "test", SchedulerOptions.Section);
        var parsed = model.Command.Parse(commandLine);
        Assert.Empty(parsed.Errors);
        return model.Bind(parsed);
    }

    [Fact]
    public void Scheduler_WithoutObjectStorageAddress_LeavesItEmpty()
    {
        Assert.Null(Parse("tcp://127.0.0.1:8516").ObjectStorageAddress);
    }

    [Fact]
    public void Scheduler_WithObjectStorageAddress_UsesIt()
    {
        Assert.Equal("tcp://127.0.0.1:9000", Parse("tcp://127.0.0.1:8516 -osa tcp://127.0.0.1:9000").ObjectStorageAddress);
    }
}
