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

    // Not required (the user page starts a manager without it) and without a spec default: the default depends on the
    // manager's type and process, so it is derived in From and described in the help text instead.
    internal static readonly OptionSpec<string> WorkerManagerIdSpec = new(
        "worker_manager_id", OptionTypes.String, "ID that identifies this worker manager (default: TYPE-HOSTNAME-PID, unique per manager process)")
    {
        ShortAlias = "-wmi",
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

    /// <summary>
    /// True when <see cref="WorkerManagerId"/> was not given (flag or TOML) and is this process's
    /// <see cref="DefaultWorkerManagerId"/>; the launcher then names the manager by its type and position instead.
    /// </summary>
    public bool WorkerManagerIdDerived { get; init; }

    /// <summary>
    /// The ID of a manager of <paramref name="type"/> that was given none: <c>TYPE-HOSTNAME-PID</c>, e.g.
    /// <c>symphony-gridhost1-4242</c>, so managers on one host or several never share an ID (the scheduler keys
    /// its per-manager bookkeeping by it).
    /// </summary>
    public static string DefaultWorkerManagerId(string type) =>
        $"{type}-{Environment.MachineName}-{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The scheduler address spawned workers should use.</summary>
    public string EffectiveWorkerSchedulerAddress => WorkerSchedulerAddress ?? SchedulerAddress;

    /// <param name="type">the manager's type (<c>baremetal_native</c>, <c>symphony</c>), the prefix of a derived ID</param>
    internal static WorkerManagerCommonOptions From(OptionValues values, string type)
    {
        var derived = !values.IsSet(WorkerManagerIdSpec);
        return new(
            values.Get(SchedulerAddressSpec),
            derived ? DefaultWorkerManagerId(type) : values.Get(WorkerManagerIdSpec),
            values.Get(WorkerSchedulerAddressSpec),
            values.Get(ObjectStorageAddressSpec),
            values.Get(MaxTaskConcurrencySpec))
        {
            WorkerManagerIdDerived = derived,
        };
    }
}
