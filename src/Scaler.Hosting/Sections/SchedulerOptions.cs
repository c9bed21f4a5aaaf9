using Scaler.Hosting.Configuration;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

/// <summary>
/// Options of <c>scaler_scheduler</c>; TOML section <c>[scheduler]</c>. Timeouts and intervals are whole seconds, as
/// in the reference. Scaler.Cli maps them onto the scheduler's own options (<c>SchedulerServerOptions</c>).
/// </summary>
public sealed record SchedulerOptions
{
    public const int DefaultStatusReportIntervalSeconds = 1;
    public const int DefaultMaxNumberOfTasksWaiting = -1;
    public const int DefaultClientTimeoutSeconds = 60;
    public const int DefaultWorkerTimeoutSeconds = 60;
    public const int DefaultObjectRetentionSeconds = 60;
    public const int DefaultLoadBalanceSeconds = 1;
    public const int DefaultLoadBalanceTriggerTimes = 2;
    public const int DefaultIoThreads = 1;
    public const string DefaultEventLoop = "builtin";

    private static readonly OptionSpec<string> BindAddressSpec = new(
        "bind_address", OptionTypes.Address, "address to bind to, e.g. tcp://0.0.0.0:6378")
    {
        Positional = true,
        Required = true,
    };

    private static readonly OptionSpec<string> ObjectStorageAddressSpec = new(
        "object_storage_address", OptionTypes.Address, "object storage server address to connect to, e.g. tcp://127.0.0.1:6379 (default: start an embedded one on the bind port + 1)")
    {
        ShortAlias = "-osa",
    };

    private static readonly OptionSpec<string> AdvertisedObjectStorageAddressSpec = new(
        "advertised_object_storage_address", OptionTypes.Address, "object storage address told to clients and workers (default: --object-storage-address)")
    {
        ShortAlias = "-aosa",
    };

    private static readonly OptionSpec<string> MonitorAddressSpec = new(
        "monitor_address", OptionTypes.Address, "monitoring address (default: the bind address with port + 2)")
    {
        ShortAlias = "-ma",
    };

    private static readonly OptionSpec<int> StatusReportIntervalSpec = new(
        "status_report_interval_seconds", OptionTypes.Int32, "seconds between status reports to monitors")
    {
        ShortAlias = "-sri",
        Default = DefaultStatusReportIntervalSeconds,
        Validate = Rules.Positive,
    };

    private static readonly OptionSpec<bool> ProtectedSpec = new(
        "protected", OptionTypes.Flag, "protect the scheduler and workers from being shut down by clients")
    {
        ShortAlias = "-p",
        Default = false,
    };

    private static readonly OptionSpec<int> MaxNumberOfTasksWaitingSpec = new(
        "max_number_of_tasks_waiting", OptionTypes.Int32, "tasks that may wait while all workers are full; -1 means no limit")
    {
        ShortAlias = "-mt",
        Default = DefaultMaxNumberOfTasksWaiting,
        Validate = Rules.MinusOneOrMore,
    };

    private static readonly OptionSpec<int> ClientTimeoutSpec = new(
        "client_timeout_seconds", OptionTypes.Int32, "drop a client after this many seconds without a heartbeat")
    {
        ShortAlias = "-ct",
        Default = DefaultClientTimeoutSeconds,
        Validate = Rules.Positive,
    };

    private static readonly OptionSpec<int> WorkerTimeoutSpec = new(
        "worker_timeout_seconds", OptionTypes.Int32, "drop a worker after this many seconds without a heartbeat")
    {
        ShortAlias = "-wt",
        Default = DefaultWorkerTimeoutSeconds,
        Validate = Rules.Positive,
    };

    private static readonly OptionSpec<int> ObjectRetentionSpec = new(
        "object_retention_seconds", OptionTypes.Int32, "seconds an unused object is kept")
    {
        ShortAlias = "-ot",
        Default = DefaultObjectRetentionSeconds,
        Validate = Rules.Positive,
    };

    private static readonly OptionSpec<int> LoadBalanceSpec = new(
        "load_balance_seconds", OptionTypes.Int32, "seconds between load balancing rounds; negative disables balancing")
    {
        ShortAlias = "-ls",
        Default = DefaultLoadBalanceSeconds,
        Validate = value => value != 0 ? null : "must not be 0 (use a negative value to disable balancing)",
    };

    private static readonly OptionSpec<int> LoadBalanceTriggerTimesSpec = new(
        "load_balance_trigger_times", OptionTypes.Int32, "identical balancing advices in a row before balancing happens")
    {
        ShortAlias = "-lbt",
        Default = DefaultLoadBalanceTriggerTimes,
        Validate = Rules.Positive,
    };

    private static readonly OptionSpec<string> EventLoopSpec = new(
        "event_loop", OptionTypes.Choice("builtin", "uvloop"), "event loop type (accepted for compatibility)")
    {
        ShortAlias = "-el",
        Default = DefaultEventLoop,
    };

    private static readonly OptionSpec<int> IoThreadsSpec = new(
        "io_threads", OptionTypes.Int32, "number of I/O threads")
    {
        ShortAlias = "-it",
        Default = DefaultIoThreads,
        Validate = Rules.Positive,
    };

    public required string BindAddress { get; init; }

    public string? ObjectStorageAddress { get; init; }

    public string? AdvertisedObjectStorageAddress { get; init; }

    public string? MonitorAddress { get; init; }

    public int StatusReportIntervalSeconds { get; init; } = DefaultStatusReportIntervalSeconds;

    public bool Protected { get; init; }

    public int MaxNumberOfTasksWaiting { get; init; } = DefaultMaxNumberOfTasksWaiting;

    public int ClientTimeoutSeconds { get; init; } = DefaultClientTimeoutSeconds;

    public int WorkerTimeoutSeconds { get; init; } = DefaultWorkerTimeoutSeconds;

    public int ObjectRetentionSeconds { get; init; } = DefaultObjectRetentionSeconds;

    public int LoadBalanceSeconds { get; init; } = DefaultLoadBalanceSeconds;

    public int LoadBalanceTriggerTimes { get; init; } = DefaultLoadBalanceTriggerTimes;

    public string EventLoop { get; init; } = DefaultEventLoop;

    public int IoThreads { get; init; } = DefaultIoThreads;

    public LoggingOptions Logging { get; init; } = LoggingOptions.Default;

    public SchedulerPolicyOptions Policy { get; init; } = new(SchedulerPolicyOptions.DefaultEngineType, SchedulerPolicyOptions.DefaultContent);

    public SecurityOptions Security { get; init; } = SecurityOptions.None;

    /// <summary>Limits on what peers may hold (the <c>transport</c> group), for the scheduler's binders and its embedded object storage.</summary>
    public TransportOptions Transport { get; init; } = TransportOptions.Default;

    /// <summary>Limits of the embedded object storage (the <c>object_storage_limits</c> group); unused with <see cref="ObjectStorageAddress"/>.</summary>
    public ObjectStorageLimitOptions ObjectStorageLimits { get; init; } = ObjectStorageLimitOptions.Default;

    public static ConfigSection<SchedulerOptions> Section { get; } = new(
        "scheduler",
        [
            BindAddressSpec, ObjectStorageAddressSpec, AdvertisedObjectStorageAddressSpec, MonitorAddressSpec,
            StatusReportIntervalSpec, ProtectedSpec, MaxNumberOfTasksWaitingSpec, ClientTimeoutSpec, WorkerTimeoutSpec,
            ObjectRetentionSpec, LoadBalanceSpec, LoadBalanceTriggerTimesSpec, EventLoopSpec, IoThreadsSpec,
        ],
        [LoggingOptions.Group, SchedulerPolicyOptions.Group, SecurityOptions.Group, TransportOptions.Group, ObjectStorageLimitOptions.Group],
        values => new SchedulerOptions
        {
            BindAddress = values.Get(BindAddressSpec),
            ObjectStorageAddress = values.Get(ObjectStorageAddressSpec),
            AdvertisedObjectStorageAddress = values.Get(AdvertisedObjectStorageAddressSpec),
            MonitorAddress = values.Get(MonitorAddressSpec),
            StatusReportIntervalSeconds = values.Get(StatusReportIntervalSpec),
            Protected = values.Get(ProtectedSpec),
            MaxNumberOfTasksWaiting = values.Get(MaxNumberOfTasksWaitingSpec),
            ClientTimeoutSeconds = values.Get(ClientTimeoutSpec),
            WorkerTimeoutSeconds = values.Get(WorkerTimeoutSpec),
            ObjectRetentionSeconds = values.Get(ObjectRetentionSpec),
            LoadBalanceSeconds = values.Get(LoadBalanceSpec),
            LoadBalanceTriggerTimes = values.Get(LoadBalanceTriggerTimesSpec),
            EventLoop = values.Get(EventLoopSpec),
            IoThreads = values.Get(IoThreadsSpec),
            Logging = LoggingOptions.From(values),
            Policy = SchedulerPolicyOptions.From(values),
            Security = SecurityOptions.From(values),
            Transport = TransportOptions.From(values),
            ObjectStorageLimits = ObjectStorageLimitOptions.From(values),
        });
}
