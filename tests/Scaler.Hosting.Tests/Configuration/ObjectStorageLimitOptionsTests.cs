using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Options;
using Scaler.Hosting.Sections;

namespace Scaler.Hosting.Tests.Configuration;

/// <summary>
/// <c>max_object_bytes</c> and <c>max_total_bytes</c>: on the object storage server's command line and in its TOML
/// section, and in the scheduler's for its embedded object storage.
/// </summary>
public sealed class ObjectStorageLimitOptionsTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ObjectStorageServer_Defaults_AreOneGibibyteAndHalfTheMemory()
    {
        ObjectStorageServerOptions options = Parse(ObjectStorageServerOptions.Section, "object-storage-server", "tcp://127.0.0.1:1");

        Assert.Equal(new ObjectStorageLimitOptions(1L << 30, 0), options.Limits);
    }

    [Fact]
    public void ObjectStorageServer_CommandLine_SetsBothLimits()
    {
        ObjectStorageServerOptions options = Parse(
            ObjectStorageServerOptions.Section,
            "object-storage-server",
            "tcp://127.0.0.1:1 --max-object-bytes 1000 --max-total-bytes 5000000");

        Assert.Equal(new ObjectStorageLimitOptions(1000, 5_000_000), options.Limits);
    }

    [Fact]
    public void ObjectStorageServer_Toml_SetsBothLimits_AndTheCommandLineWins()
    {
        string config = _files.Write("s.toml", """
            [object_storage_server]
            bind_address = "tcp://127.0.0.1:1"
            max_object_bytes = 2000
            max_total_bytes = 9000000
            """);

        ObjectStorageServerOptions options = Parse(
            ObjectStorageServerOptions.Section, "object-storage-server", $"--config {config} --max-total-bytes 7");

        Assert.Equal(new ObjectStorageLimitOptions(2000, 7), options.Limits);
    }

    [Fact]
    public void Scheduler_TakesTheLimitsForItsEmbeddedObjectStorage()
    {
        string config = _files.Write("s.toml", """
            [scheduler]
            bind_address = "tcp://127.0.0.1:1"

            [scheduler.object_storage_limits]
            max_object_bytes = 3000
            """);

        SchedulerOptions options = Parse(SchedulerOptions.Section, "scheduler", $"--config {config} --max-total-bytes 8000000");

        Assert.Equal(new ObjectStorageLimitOptions(3000, 8_000_000), options.ObjectStorageLimits);
    }

    [Theory]
    [InlineData("max_object_bytes = -1", "max_object_bytes", "must be from 0 to 2147483591")]
    [InlineData("max_object_bytes = 2147483648", "max_object_bytes", "must be from 0 to 2147483591")]
    [InlineData("max_total_bytes = -5", "max_total_bytes", "must not be negative")]
    public void OutOfRangeLimits_AreRejectedNamingTheKey(string line, string key, string expected)
    {
        string config = _files.Write("s.toml", "[object_storage_server]\nbind_address = \"tcp://127.0.0.1:1\"\n" + line + "\n");

        var error = Assert.Throws<Scaler.Hosting.Configuration.ConfigurationException>(
            () => Parse(ObjectStorageServerOptions.Section, "object-storage-server", $"--config {config}"));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static T Parse<T>(Scaler.Hosting.Configuration.ConfigSection<T> section, string name, string commandLine)
    {
        var model = new SectionCommandLine<T>(name, "test", section);
        var parsed = model.Command.Parse(commandLine);
        Assert.Empty(parsed.Errors);
        return model.Bind(parsed);
    }
}
