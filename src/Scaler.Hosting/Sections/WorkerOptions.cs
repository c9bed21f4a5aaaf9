using Scaler.Hosting.Configuration;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

/// <summary>Settings handed to every worker a worker manager starts.</summary>
public sealed record WorkerOptions
{
    internal static readonly OptionSpec<IReadOnlyDictionary<string, long>> CapabilitiesSpec = new(
        "per_worker_capabilities", OptionTypes.Capabilities, "comma-separated capabilities of each worker, e.g. \"linux,cpu=4\"")
    {
        ShortAlias = "-pwc",
        Default = new Dictionary<string, long>(),
    };

    internal static readonly OptionSpec<int> TaskQueueSizeSpec = new(
        "per_worker_task_queue_size", OptionTypes.Int32, "task queue size of each worker")
    {
        ShortAlias = "-wtqs",
        Default = 1000,
        Validate = Rules.Positive,
    };

    internal static readonly OptionSpec<int> HeartbeatIntervalSpec = new(
        "heartbeat_interval_seconds", OptionTypes.Int32, "seconds between heartbeats")
    {
        ShortAlias = "-his",
        Default = 2,
        Validate = Rules.Positive,
    };

    internal static readonly OptionSpec<int> TaskTimeoutSpec = new(
        "task_timeout_seconds", OptionTypes.Int32, "seconds before a task times out; 0 means never")
    {
        ShortAlias = "-tts",
        Default = 0,
        Validate = Rules.NotNegative,
    };

    internal static readonly OptionSpec<int> DeathTimeoutSpec = new(
        "death_timeout_seconds", OptionTypes.Int32, "seconds without scheduler contact before a worker exits")
    {
        ShortAlias = "-dts",
        Default = 300,
        Validate = Rules.Positive,
    };

    internal static readonly OptionSpec<int> GarbageCollectIntervalSpec = new(
        "garbage_collect_interval_seconds", OptionTypes.Int32, "seconds between garbage collections")
    {
        ShortAlias = "-gc",
        Default = 30,
        Validate = Rules.Positive,
    };

    internal static readonly OptionSpec<long> TrimMemoryThresholdSpec = new(
        "trim_memory_threshold_bytes", OptionTypes.Int64, "memory size in bytes above which a worker trims memory")
    {
        ShortAlias = "-tm",
        Default = 1024L * 1024 * 1024,
        Validate = Rules.NotNegative,
    };

    internal static readonly OptionSpec<bool> HardProcessorSuspendSpec = new(
        "hard_processor_suspend", OptionTypes.Flag, "suspend processors with SIGTSTP instead of a synchronization event")
    {
        ShortAlias = "-hps",
        Default = false,
    };

    internal static readonly OptionSpec<int> IoThreadsSpec = new(
        "io_threads", OptionTypes.Int32, "number of I/O threads per worker")
    {
        ShortAlias = "-it",
        Default = 1,
        Validate = Rules.Positive,
    };

    internal static readonly OptionSpec<string> EventLoopSpec = new(
        "event_loop", OptionTypes.Choice("builtin", "uvloop"), "event loop type")
    {
        ShortAlias = "-el",
        Default = "builtin",
    };

    internal static readonly OptionSpec<string> PreloadSpec = new(
        "preload", OptionTypes.String, "function run when a worker starts, e.g. 'pkg.mod:func(arg1, kw=val)'");

    // No spec default: null means "decided where the task runs" (the SCALER_PYTHON_EXECUTABLE variable, else python3),
    // which PythonRunnerOptions.Resolve does in the processor or service instance.
    internal static readonly OptionSpec<string> PythonExecutableSpec = new(
        "python_executable",
        OptionTypes.String,
        "Python interpreter that runs Python tasks (needs the cloudpickle package, and tblib for tracebacks; "
        + "default: $SCALER_PYTHON_EXECUTABLE, else python3 on PATH)")
    {
        Validate = Rules.NotEmpty,
    };

    public static OptionGroup Group { get; } = new(
        "worker_config",
        [
            CapabilitiesSpec, TaskQueueSizeSpec, HeartbeatIntervalSpec, TaskTimeoutSpec, DeathTimeoutSpec,
            GarbageCollectIntervalSpec, TrimMemoryThresholdSpec, HardProcessorSuspendSpec, IoThreadsSpec, EventLoopSpec,
            PreloadSpec, PythonExecutableSpec,
        ]);

    public required IReadOnlyDictionary<string, long> Capabilities { get; init; }

    public int TaskQueueSize { get; init; }

    public int HeartbeatIntervalSeconds { get; init; }

    public int TaskTimeoutSeconds { get; init; }

    public int DeathTimeoutSeconds { get; init; }

    public int GarbageCollectIntervalSeconds { get; init; }

    public long TrimMemoryThresholdBytes { get; init; }

    public bool HardProcessorSuspend { get; init; }

    public int IoThreads { get; init; }

    public required string EventLoop { get; init; }

    public string? Preload { get; init; }

    /// <summary>
    /// <c>--python-executable</c>: the interpreter of Python tasks, or null for the default
    /// (<c>$SCALER_PYTHON_EXECUTABLE</c>, else <c>python3</c> on PATH).
    /// </summary>
    public string? PythonExecutable { get; init; }

    internal static WorkerOptions From(OptionValues values) => new()
    {
        Capabilities = values.Get(CapabilitiesSpec),
        TaskQueueSize = values.Get(TaskQueueSizeSpec),
        HeartbeatIntervalSeconds = values.Get(HeartbeatIntervalSpec),
        TaskTimeoutSeconds = values.Get(TaskTimeoutSpec),
        DeathTimeoutSeconds = values.Get(DeathTimeoutSpec),
        GarbageCollectIntervalSeconds = values.Get(GarbageCollectIntervalSpec),
        TrimMemoryThresholdBytes = values.Get(TrimMemoryThresholdSpec),
        HardProcessorSuspend = values.Get(HardProcessorSuspendSpec),
        IoThreads = values.Get(IoThreadsSpec),
        EventLoop = values.Get(EventLoopSpec),
        Preload = values.Get(PreloadSpec),
        PythonExecutable = values.Get(PythonExecutableSpec),
    };
}
