using Microsoft.Extensions.Logging;
using Scaler.Hosting.CommandLine;
using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;

namespace Scaler.Hosting.Tests.Configuration;

public sealed class SectionBindingTests : IDisposable
{
    private const string Addresses = "tcp://127.0.0.1:6378 -osa tcp://127.0.0.1:6379";
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static SchedulerOptions ParseScheduler(string commandLine)
    {
        var commandLineModel = new SectionCommandLine<SchedulerOptions>("scheduler", "test", SchedulerOptions.Section);
        var parseResult = commandLineModel.Command.Parse(commandLine);
        Assert.Empty(parseResult.Errors);
        return commandLineModel.Bind(parseResult);
    }

    [Fact]
    public void Bind_NoFileNoFlags_UsesDefaults()
    {
        var options = ParseScheduler(Addresses);

        Assert.Equal("tcp://127.0.0.1:6378", options.BindAddress);
        Assert.Equal("tcp://127.0.0.1:6379", options.ObjectStorageAddress);
        Assert.Null(options.MonitorAddress);
        Assert.Equal(60, options.ClientTimeoutSeconds);
        Assert.False(options.Protected);
        Assert.Equal(LogLevel.Information, options.Logging.Level);
        Assert.Equal(["/dev/stdout"], options.Logging.Paths);
        Assert.Equal("allocate=even_load; scaling=vanilla", options.Policy.Content);
        Assert.False(options.Security.HasCredentials);
    }

    [Fact]
    public void Bind_CommandLineOverTomlOverDefault_ForSeveralTypes()
    {
        var config = _files.Write("stack.toml", """
            [scheduler]
            bind_address = "tcp://10.0.0.1:1"
            object_storage_address = "tcp://10.0.0.1:2"
            io_threads = 3
            client_timeout_seconds = 7
            protected = true
            logging_level = "DEBUG"
            logging_paths = ["/dev/stderr", "/tmp/x.log"]
            policy_content = "allocate=even_load; scaling=none"
            event_loop = "uvloop"
            """);

        var options = ParseScheduler($"tcp://127.0.0.1:9 --config {config} -it 5 --logging-level ERROR -el builtin");

        // From the command line, over the file.
        Assert.Equal("tcp://127.0.0.1:9", options.BindAddress);
        Assert.Equal(5, options.IoThreads);
        Assert.Equal(LogLevel.Error, options.Logging.Level);
        Assert.Equal("builtin", options.EventLoop);

        // From the file, over the defaults.
        Assert.Equal("tcp://10.0.0.1:2", options.ObjectStorageAddress);
        Assert.Equal(7, options.ClientTimeoutSeconds);
        Assert.True(options.Protected);
        Assert.Equal(["/dev/stderr", "/tmp/x.log"], options.Logging.Paths);
        Assert.Equal("allocate=even_load; scaling=none", options.Policy.Content);

        // Neither: the default.
        Assert.Equal(60, options.WorkerTimeoutSeconds);
    }

    [Fact]
    public void Bind_SecondsOption_CommandLineOverTomlOverDefault()
    {
        var section = TopOptions.Section;
        var table = TomlConfigFile.Parse("[top]\nmonitor_address = \"tcp://127.0.0.1:6380\"\ntimeout = 2.5\n", "t.toml");
        var fromToml = section.BindToml((Tomlyn.Model.TomlTable)table["top"]!, "[top]");
        Assert.Equal(TimeSpan.FromSeconds(2.5), fromToml.Timeout);

        var commandLine = new SectionCommandLine<TopOptions>("top", "test", section);
        var overridden = commandLine.Bind(commandLine.Command.Parse("tcp://127.0.0.1:6380 -t 0.25"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), overridden.Timeout);

        var byDefault = commandLine.Bind(commandLine.Command.Parse("tcp://127.0.0.1:6380"));
        Assert.Equal(TimeSpan.FromSeconds(5), byDefault.Timeout);
    }

    [Fact]
    public void Bind_TomlKeysWithHyphens_AreAccepted()
    {
        var config = _files.Write("c.toml", "[scheduler]\nio-threads = 4\n");

        Assert.Equal(4, ParseScheduler($"{Addresses} -c {config}").IoThreads);
    }

    [Fact]
    public void Bind_GroupSubTable_IsReadLikeFlatKeys()
    {
        var config = _files.Write("c.toml", """
            [scheduler.logging_config]
            logging_level = "WARNING"

            [scheduler.policy]
            policy_engine_type = "custom"
            """);

        var options = ParseScheduler($"{Addresses} -c {config}");

        Assert.Equal(LogLevel.Warning, options.Logging.Level);
        Assert.Equal("custom", options.Policy.EngineType);
    }

    [Fact]
    public void Bind_SameKeyFlatAndInSubTable_IsAnError()
    {
        var config = _files.Write("c.toml", "[scheduler]\nlogging_level = \"INFO\"\n[scheduler.logging_config]\nlogging_level = \"DEBUG\"\n");

        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -c {config}"));
        Assert.Contains("logging_level", error.Message, StringComparison.Ordinal);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnknownTomlKey_NamesKeySectionAndKnownKeys()
    {
        var config = _files.Write("c.toml", "[scheduler]\nmax_number_of_tasks_waitin = 3\n");

        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -c {config}"));

        Assert.Contains("unknown key 'max_number_of_tasks_waitin' in [scheduler]", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'max_number_of_tasks_waiting'", error.Message, StringComparison.Ordinal);
        Assert.Contains("known keys:", error.Message, StringComparison.Ordinal);
        Assert.Contains("io_threads", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnknownKeyInGroupSubTable_NamesTheSubTable()
    {
        var config = _files.Write("c.toml", "[scheduler.logging_config]\nlevel = \"DEBUG\"\n");

        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -c {config}"));

        Assert.Contains("unknown key 'level' in [scheduler.logging_config]", error.Message, StringComparison.Ordinal);
        Assert.Contains("logging_level", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("io_threads = \"three\"", "io_threads", "integer", "string \"three\"")]
    [InlineData("protected = 1", "protected", "true or false", "integer 1")]
    [InlineData("logging_paths = [1, 2]", "logging_paths", "list of strings", "array [1, 2]")]
    [InlineData("client_timeout_seconds = 1.5", "client_timeout_seconds", "integer", "float 1.5")]
    [InlineData("io_threads = 9999999999", "io_threads", "integer from", "integer 9999999999")]
    public void Bind_WrongTomlType_NamesKeyExpectedTypeAndValue(string line, string key, string expected, string got)
    {
        var config = _files.Write("c.toml", "[scheduler]\n" + line + "\n");

        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -c {config}"));

        Assert.Contains($"'{key}' in [scheduler]", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(got, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_BadChoiceInToml_ListsTheChoices()
    {
        var config = _files.Write("c.toml", "[scheduler]\nlogging_level = \"TRACE\"\n");

        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -c {config}"));

        Assert.Contains("one of DEBUG, INFO, WARNING, ERROR, CRITICAL", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"TRACE\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_BadTomlSyntax_GivesFileLineAndColumn()
    {
        var config = _files.Write("broken.toml", "[scheduler]\nio_threads = 1\nprotected = = true\n");

        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -c {config}"));

        Assert.Contains("broken.toml", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_MissingConfigFile_SaysWhichFile()
    {
        var missing = _files.PathOf("nope.toml");

        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -c {missing}"));

        Assert.Contains("nope.toml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_RequiredOptionOnlyInToml_IsSatisfied()
    {
        var config = _files.Write("c.toml", "[scheduler]\nbind_address = \"tcp://127.0.0.1:1\"\nobject_storage_address = \"tcp://127.0.0.1:2\"\n");

        var options = ParseScheduler($"-c {config}");

        Assert.Equal("tcp://127.0.0.1:1", options.BindAddress);
    }

    [Fact]
    public void Bind_RequiredOptionMissing_NamesFlagAndKey()
    {
        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler("-osa tcp://127.0.0.1:6379"));

        Assert.Contains("bind_address", error.Message, StringComparison.Ordinal);
        Assert.Contains("[scheduler]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ValueBreakingARule_IsAnErrorNamingWhereItCameFrom()
    {
        var config = _files.Write("c.toml", "[scheduler]\nload_balance_seconds = 0\n");

        var fromToml = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -c {config}"));
        var fromFlag = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -ct 0"));

        Assert.Contains("'load_balance_seconds' in [scheduler]", fromToml.Message, StringComparison.Ordinal);
        Assert.Contains("--client-timeout-seconds/-ct", fromFlag.Message, StringComparison.Ordinal);
        Assert.Contains("positive", fromFlag.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ShortAliases_SetTheirOptions()
    {
        var options = ParseScheduler(
            "tcp://127.0.0.1:1 -osa tcp://127.0.0.1:2 -aosa tcp://1.2.3.4:2 -ma tcp://127.0.0.1:3 -mt 10 -ct 11 -wt 12 "
            + "-ot 13 -ls -1 -lbt 4 -it 2 -sri 3 -et simple -pc x -p -ll DEBUG -lp a.log");

        Assert.Equal("tcp://127.0.0.1:2", options.ObjectStorageAddress);
        Assert.Equal("tcp://1.2.3.4:2", options.AdvertisedObjectStorageAddress);
        Assert.Equal("tcp://127.0.0.1:3", options.MonitorAddress);
        Assert.Equal(10, options.MaxNumberOfTasksWaiting);
        Assert.Equal(11, options.ClientTimeoutSeconds);
        Assert.Equal(12, options.WorkerTimeoutSeconds);
        Assert.Equal(13, options.ObjectRetentionSeconds);
        Assert.Equal(-1, options.LoadBalanceSeconds);
        Assert.Equal(4, options.LoadBalanceTriggerTimes);
        Assert.Equal(2, options.IoThreads);
        Assert.Equal(3, options.StatusReportIntervalSeconds);
        Assert.Equal("x", options.Policy.Content);
        Assert.True(options.Protected);
        Assert.Equal(LogLevel.Debug, options.Logging.Level);
        Assert.Equal(["a.log"], options.Logging.Paths);
    }

    [Fact]
    public void Bind_LongFlagsWithEqualsSign_AreAccepted()
    {
        var options = ParseScheduler("tcp://127.0.0.1:1 --object-storage-address=tcp://127.0.0.1:2 --io-threads=6");

        Assert.Equal(6, options.IoThreads);
    }

    [Fact]
    public void Bind_ListOption_TakesSeveralValuesAfterOneFlag()
    {
        var options = ParseScheduler($"{Addresses} --logging-paths /dev/stdout /var/log/a.log -it 2");

        Assert.Equal(["/dev/stdout", "/var/log/a.log"], options.Logging.Paths);
        Assert.Equal(2, options.IoThreads);
    }

    [Fact]
    public void Bind_ListOption_SingleStringInTomlIsOneItem()
    {
        var config = _files.Write("c.toml", "[scheduler]\nlogging_paths = \"/dev/stderr\"\n");

        Assert.Equal(["/dev/stderr"], ParseScheduler($"{Addresses} -c {config}").Logging.Paths);
    }

    [Theory]
    [InlineData("--protected", true)]
    [InlineData("-p", true)]
    [InlineData("--protected false", false)]
    [InlineData("", false)]
    public void Bind_FlagOption_NeedsNoValue(string flag, bool expected)
    {
        Assert.Equal(expected, ParseScheduler($"{Addresses} {flag}").Protected);
    }

    [Fact]
    public void Bind_FlagBeforePositional_DoesNotSwallowIt()
    {
        var options = ParseScheduler("-p tcp://127.0.0.1:1 -osa tcp://127.0.0.1:2");

        Assert.True(options.Protected);
        Assert.Equal("tcp://127.0.0.1:1", options.BindAddress);
    }

    [Fact]
    public void Bind_FlagOnCommandLine_OverridesTomlFalse()
    {
        var config = _files.Write("c.toml", "[scheduler]\nprotected = false\n");

        Assert.True(ParseScheduler($"{Addresses} -c {config} --protected").Protected);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1")]
    [InlineData("127.0.0.1:6378")]
    [InlineData("udp://127.0.0.1:1")]
    [InlineData("tcp://127.0.0.1:99999")]
    public void Parse_BadAddressOnCommandLine_IsAParseError(string address)
    {
        var commandLine = new SectionCommandLine<SchedulerOptions>("scheduler", "test", SchedulerOptions.Section);

        var parseResult = commandLine.Command.Parse(["tcp://127.0.0.1:1", "-osa", address]);

        var error = Assert.Single(parseResult.Errors);
        Assert.Contains(address, error.Message, StringComparison.Ordinal);
        Assert.Contains("--object-storage-address/-osa", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_TlsCertificateWithoutKey_IsAnError()
    {
        var error = Assert.Throws<ConfigurationException>(() => ParseScheduler($"{Addresses} -tc cert.pem"));

        Assert.Contains("--tls-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_TlsCertificateAndKey_AreKept()
    {
        var options = ParseScheduler($"{Addresses} -tc cert.pem -tk key.pem");

        Assert.True(options.Security.HasCredentials);
        Assert.Equal("cert.pem", options.Security.TlsCertificatePath);
        Assert.Equal("key.pem", options.Security.TlsKeyPath);
    }

    [Fact]
    public void Bind_TlsCa_FromTheCommandLine()
    {
        var scheduler = ParseScheduler($"{Addresses} -tc cert.pem -tk key.pem -tca ca.pem");
        Assert.Equal(new IO.Tls.TlsSettings { CertificatePath = "cert.pem", KeyPath = "key.pem", CaPath = "ca.pem" }, scheduler.Security.ToTlsSettings());
        Assert.True(scheduler.Security.ToTlsSettings().VerifiesPeers);
    }
}
