using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Scaler.Hosting.Logging;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Tests.Logging;

public sealed class ScalerLoggingTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public ScalerLoggingTests()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
    }

    public void Dispose()
    {
        _files.Dispose();
        _stdout.Dispose();
        _stderr.Dispose();
    }

    [Fact]
    public void Console_LineHasTimestampLevelProcessAndMessage()
    {
        using (var factory = ScalerLogging.CreateFactory(LoggingOptions.Default, "scheduler", _time, _stdout, _stderr))
        {
            factory.CreateLogger("Scaler.Test").LogWarning("disk {Percent}% full", 91);
        }

        var lines = _stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"2026-01-02 03:04:05+0000 WARNING scheduler[{Environment.ProcessId}]: disk 91% full", lines[^1]);
        Assert.Equal(string.Empty, _stderr.ToString());
    }

    [Fact]
    public void Level_FiltersLowerLevels()
    {
        var options = LoggingOptions.Default with { Level = LogLevel.Error, Paths = ["/dev/stderr"] };
        using (var factory = ScalerLogging.CreateFactory(options, "worker", _time, _stdout, _stderr))
        {
            var logger = factory.CreateLogger("Scaler.Test");
            logger.LogInformation("quiet");
            logger.LogCritical("loud");
        }

        Assert.DoesNotContain("quiet", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("CRITICAL worker[", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, _stdout.ToString());
    }

    [Fact]
    public void File_GetsVerboseLinesWithCategoryAndException()
    {
        var path = _files.PathOf("nested/dir/server.log");
        var options = LoggingOptions.Default with { Paths = [path] };
        using (var factory = ScalerLogging.CreateFactory(options, "object_storage_server", _time, _stdout, _stderr))
        {
            factory.CreateLogger("Scaler.ObjectStorage.Server").LogError(new InvalidOperationException("boom"), "peer failed");
        }

        var text = File.ReadAllText(path);
        Assert.Contains($"ERROR object_storage_server[{Environment.ProcessId}] Scaler.ObjectStorage.Server: peer failed", text, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: boom", text, StringComparison.Ordinal);
        Assert.Equal(string.Empty, _stdout.ToString());
    }

    [Fact]
    public void ConfigFile_IsReportedAsIgnored()
    {
        var options = LoggingOptions.Default with { ConfigFile = "logging.conf" };
        using (ScalerLogging.CreateFactory(options, "scheduler", _time, _stdout, _stderr))
        {
        }

        Assert.Contains("WARNING", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("logging.conf", _stdout.ToString(), StringComparison.Ordinal);
    }
}
