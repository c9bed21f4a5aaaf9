using Scaler.Hosting.Configuration;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

/// <summary>What every worker manager type needs: where the scheduler is and who this manager is.</summary>
public sealed record WorkerManagerCommonOptions(
    string SchedulerAddress,
    string WorkerManagerId,
    string? WorkerSchedulerAddress,
    string? ObjectStorageAddress,
    int MaxTaskConcurrency)
{
    internal static readonly OptionSpec<string> SchedulerAddressSpec = new(
        "scheduler_address", OptionTypes.Address, "scheduler address this worker manager connects to")
    {
        Positional = true,
        Required = true,
    };

    internal static readonly OptionSpec<string> WorkerManagerIdSpec = new(
        "worker_manager_id", OptionTypes.String, "ID that identifies this worker manager")
    {
        ShortAlias = "-wmi",
        Required = true,
        Validate = Rules.NotEmpty,
    };

    internal static readonly OptionSpec<string> WorkerSchedulerAddressSpec = new(
        "worker_scheduler_address", OptionTypes.Address, "scheduler address given to spawned workers (default: the scheduler address)")
    {
        ShortAlias = "-wsa",
    };

    internal static readonly OptionSpec<string> ObjectStorageAddressSpec = new(
        "object_storage_address", OptionTypes.Address, "object storage server address, e.g. tcp://localhost:2346")
    {
        ShortAlias = "-osa",
    };

    internal static readonly OptionSpec<int> MaxTaskConcurrencySpec = new(
        "max_task_concurrency", OptionTypes.Int32, "most workers to start, -1 means no limit; a fixed native manager starts exactly this many")
    {
        ShortAlias = "-mtc",
        Default = Environment.ProcessorCount,
        Validate = Rules.MinusOneOrMore,
    };

    public static OptionGroup Group { get; } = new(
        "worker_manager_config",
        [SchedulerAddressSpec, WorkerManagerIdSpec, WorkerSchedulerAddressSpec, ObjectStorageAddressSpec, MaxTaskConcurrencySpec]);

    /// <summary>The scheduler address spawned workers should use.</summary>
    public string EffectiveWorkerSchedulerAddress => WorkerSchedulerAddress ?? SchedulerAddress;

    internal static WorkerManagerCommonOptions From(OptionValues values) => new(
        values.Get(SchedulerAddressSpec),
        values.Get(WorkerManagerIdSpec),
        values.Get(WorkerSchedulerAddressSpec),
        values.Get(ObjectStorageAddressSpec),
        values.Get(MaxTaskConcurrencySpec));
}
