using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Options;
using Scaler.Hosting.Sections;
using Scaler.IO.Ymq;

namespace Scaler.Hosting.Tests.Configuration;

/// <summary>The <c>transport</c> group: on the command line and in TOML of the sections that bind, and onto the transport.</summary>
public sealed class TransportOptionsTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Defaults_LeaveTheTransportsOwnDefaults()
    {
        SchedulerOptions options = Parse(SchedulerOptions.Section, "scheduler", "tcp://127.0.0.1:1");
        var transport = options.Transport.ApplyTo(new YmqOptions { Identity = "x" });
        var untouched = new YmqOptions { Identity = "x" };

        Assert.Equal(TransportOptions.Default, options.Transport);
        Assert.Null(transport.MaxPartialFrameBytes);
        Assert.Null(transport.MaxPartialFrameBytesPerPeer);
        Assert.Equal(untouched.MaxConnections, transport.MaxConnections);
        Assert.Equal(untouched.FrameStallTimeout, transport.FrameStallTimeout);
    }

    [Fact]
    public void CommandLine_SetsEveryLimit_AndTheyReachTheTransport()
    {
        ObjectStorageServerOptions options = Parse(
            ObjectStorageServerOptions.Section,
            "object-storage-server",
            "tcp://127.0.0.1:1 --max-partial-frame-bytes 3000000 --max-partial-frame-bytes-per-peer 2000000 --max-connections 50 --frame-stall-timeout-seconds 7.5");

        var transport = options.Transport.ApplyTo(new YmqOptions { Identity = "x" });

        Assert.Equal(3_000_000, transport.MaxPartialFrameBytes);
        Assert.Equal(2_000_000, transport.MaxPartialFrameBytesPerPeer);
        Assert.Equal(50, transport.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(7.5), transport.FrameStallTimeout);
    }

    [Fact]
    public void Toml_SubTableOfTheScheduler_SetsTheLimits_AndTheCommandLineWins()
    {
        string config = _files.Write("s.toml", """
            [scheduler]
            bind_address = "tcp://127.0.0.1:1"

            [scheduler.transport]
            max_connections = 1000
            frame_stall_timeout_seconds = 12
            """);

        SchedulerOptions options = Parse(SchedulerOptions.Section, "scheduler", $"--config {config} --max-connections 900");

        Assert.Equal(900, options.Transport.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(12), options.Transport.FrameStallTimeout);
    }

    [Theory]
    [InlineData("max_connections = 0", "max_connections")]
    [InlineData("max_partial_frame_bytes = -1", "max_partial_frame_bytes")]
    [InlineData("frame_stall_timeout_seconds = 0", "frame_stall_timeout_seconds")]
    public void OutOfRangeLimits_AreRejectedNamingTheKey(string line, string key)
    {
        string config = _files.Write("s.toml", "[object_storage_server]\nbind_address = \"tcp://127.0.0.1:1\"\n" + line + "\n");

        var error = Assert.Throws<Scaler.Hosting.Configuration.ConfigurationException>(
            () => Parse(ObjectStorageServerOptions.Section, "object-storage-server", $"--config {config}"));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static T Parse<T>(Scaler.Hosting.Configuration.ConfigSection<T> section, string name, string commandLine)
    {
        var model = new SectionCommandLine<T>(name, "test", section);
        var parsed = model.Command.Parse(commandLine);
        Assert.Empty(parsed.Errors);
        return model.Bind(parsed);
    }
}
