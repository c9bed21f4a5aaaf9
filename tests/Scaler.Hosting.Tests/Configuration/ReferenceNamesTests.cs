using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;

namespace Scaler.Hosting.Tests.Configuration;

/// <summary>The keys and short aliases the reference's commands accept, checked against our sections.</summary>
public sealed class ReferenceNamesTests
{
    public static TheoryData<string, string, string?> SchedulerNames => new()
    {
        { "bind_address", "<bind_address>", null },
        { "object_storage_address", "--object-storage-address", "-osa" },
        { "advertised_object_storage_address", "--advertised-object-storage-address", "-aosa" },
        { "monitor_address", "--monitor-address", "-ma" },
        { "status_report_interval_seconds", "--status-report-interval-seconds", "-sri" },
        { "protected", "--protected", "-p" },
        { "max_number_of_tasks_waiting", "--max-number-of-tasks-waiting", "-mt" },
        { "client_timeout_seconds", "--client-timeout-seconds", "-ct" },
        { "worker_timeout_seconds", "--worker-timeout-seconds", "-wt" },
        { "object_retention_seconds", "--object-retention-seconds", "-ot" },
        { "load_balance_seconds", "--load-balance-seconds", "-ls" },
        { "load_balance_trigger_times", "--load-balance-trigger-times", "-lbt" },
        { "event_loop", "--event-loop", "-el" },
        { "io_threads", "--io-threads", "-it" },
        { "logging_level", "--logging-level", "-ll" },
        { "logging_paths", "--logging-paths", "-lp" },
        { "logging_config_file", "--logging-config-file", "-lcf" },
        { "policy_engine_type", "--policy-engine-type", "-et" },
        { "policy_content", "--policy-content", "-pc" },
        { "tls_cert", "--tls-cert", "-tc" },
        { "tls_key", "--tls-key", "-tk" },
    };

    [Theory]
    [MemberData(nameof(SchedulerNames))]
    public void Scheduler_HasTheReferenceFlagAndAlias(string key, string flagOrPositional, string? alias)
    {
        var spec = Assert.Single(SchedulerOptions.Section.Options, s => s.Key == key);

        Assert.Equal(flagOrPositional, spec.Positional ? $"<{spec.Key}>" : spec.LongFlag);
        Assert.Equal(alias, spec.ShortAlias);
    }

    /// <summary>Scheduler options the reference does not have, each a decision of ours (docs/decisions.md).</summary>
    /// <summary>Ours: the transport group (docs/transport.md), on every section that binds. Declared before its users.</summary>
    private static readonly string[] TransportKeys =
        ["frame_stall_timeout_seconds", "max_connections", "max_partial_frame_bytes", "max_partial_frame_bytes_per_peer"];

    private static readonly string[] SchedulerAdditions = ["tls_ca", "max_object_bytes", "max_total_bytes", .. TransportKeys];

    [Fact]
    public void Scheduler_HasNoOptionsTheReferenceLacks_BeyondOurAdditions()
    {
        var expected = SchedulerNames.Select(row => (string)row[0]).Concat(SchedulerAdditions).Order();

        Assert.Equal(expected, SchedulerOptions.Section.Options.Select(s => s.Key).Order());
    }

    [Theory]
    [InlineData("worker_manager_id", "-wmi")]
    [InlineData("worker_scheduler_address", "-wsa")]
    [InlineData("object_storage_address", "-osa")]
    [InlineData("max_task_concurrency", "-mtc")]
    [InlineData("per_worker_capabilities", "-pwc")]
    [InlineData("per_worker_task_queue_size", "-wtqs")]
    [InlineData("heartbeat_interval_seconds", "-his")]
    [InlineData("task_timeout_seconds", "-tts")]
    [InlineData("death_timeout_seconds", "-dts")]
    [InlineData("garbage_collect_interval_seconds", "-gc")]
    [InlineData("trim_memory_threshold_bytes", "-tm")]
    [InlineData("hard_processor_suspend", "-hps")]
    [InlineData("io_threads", "-it")]
    [InlineData("event_loop", "-el")]
    public void NativeWorkerManager_HasTheReferenceAlias(string key, string alias)
    {
        Assert.Equal(alias, Assert.Single(NativeWorkerManagerOptions.Section.Options, s => s.Key == key).ShortAlias);
    }

    [Fact]
    public void ObjectStorageServer_HasTheReferenceOptions()
    {
        var keys = ObjectStorageServerOptions.Section.Options.Select(s => s.Key).Order();

        Assert.Equal(
            new[] { "bind_address", "identity", "logging_config_file", "logging_level", "logging_paths", "max_object_bytes",
                "max_total_bytes", "tls_ca", "tls_cert", "tls_key" }.Concat(TransportKeys).Order(),
            keys);
        Assert.True(Assert.Single(ObjectStorageServerOptions.Section.Options, s => s.Key == "bind_address").Positional);
    }

    [Fact]
    public void Top_TimeoutAliasIsT()
    {
        Assert.Equal("-t", Assert.Single(TopOptions.Section.Options, s => s.Key == "timeout").ShortAlias);
    }

    [Fact]
    public void Section_DeclaringAKeyTwice_IsRejected()
    {
        var first = new OptionSpec<int>("io_threads", OptionTypes.Int32, "a");
        var second = new OptionSpec<int>("io_threads", OptionTypes.Int32, "b");

        Assert.Throws<ArgumentException>(() => new ConfigSection<int>("x", [first, second], [], _ => 0));
    }
}
