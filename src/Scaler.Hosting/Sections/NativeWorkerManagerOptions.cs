using Scaler.Hosting.Configuration;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

public enum NativeWorkerManagerMode
{
    /// <summary>Workers are started and stopped as the scheduler asks.</summary>
    Dynamic,

    /// <summary>Exactly <c>max_task_concurrency</c> workers are started up front.</summary>
    Fixed,
}

/// <summary>The <c>baremetal_native</c> worker manager: workers are local processes.</summary>
public sealed record NativeWorkerManagerOptions(
    WorkerManagerCommonOptions Manager,
    WorkerOptions Worker,
    LoggingOptions Logging,
    SecurityOptions Security,
    NativeWorkerManagerMode Mode,
    string? WorkerType)
    : WorkerManagerOptions(TypeName, Manager, Worker, Logging)
{
    public const string TypeName = "baremetal_native";

    private static readonly OptionSpec<NativeWorkerManagerMode> ModeSpec = new(
        "mode",
        OptionTypes.Choice(("dynamic", NativeWorkerManagerMode.Dynamic), ("fixed", NativeWorkerManagerMode.Fixed)),
        "'dynamic' scales with the scheduler's demand, 'fixed' starts all workers up front")
    {
        Default = NativeWorkerManagerMode.Dynamic,
    };

    private static readonly OptionSpec<string> WorkerTypeSpec = new(
        "worker_type", OptionTypes.String, "prefix of worker IDs (default: 'FIX' or 'NAT' by mode)");

    public static ConfigSection<NativeWorkerManagerOptions> Section { get; } = new(
        "worker_manager",
        [ModeSpec, WorkerTypeSpec],
        [WorkerManagerCommonOptions.Group, WorkerOptions.Group, LoggingOptions.Group, SecurityOptions.Group],
        Build)
    {
        StructuralKeys = ["type"],
    };

    private static NativeWorkerManagerOptions Build(OptionValues values)
    {
        var manager = WorkerManagerCommonOptions.From(values, TypeName);
        var mode = values.Get(ModeSpec);
        if (mode == NativeWorkerManagerMode.Fixed && manager.MaxTaskConcurrency < 0)
        {
            throw new ConfigurationException("fixed mode needs --max-task-concurrency/-mtc of 0 or more");
        }

        return new NativeWorkerManagerOptions(
            manager,
            WorkerOptions.From(values),
            LoggingOptions.From(values),
            SecurityOptions.From(values),
            mode,
            values.Get(WorkerTypeSpec));
    }
}
