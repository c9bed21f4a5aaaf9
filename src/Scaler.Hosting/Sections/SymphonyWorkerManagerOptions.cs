using Scaler.Hosting.Configuration;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

/// <summary>The <c>symphony</c> worker manager: workers run as IBM Spectrum Symphony services.</summary>
public sealed record SymphonyWorkerManagerOptions(
    WorkerManagerCommonOptions Manager,
    WorkerOptions Worker,
    LoggingOptions Logging,
    string ServiceName)
    : WorkerManagerOptions(TypeName, Manager, Worker, Logging)
{
    public const string TypeName = "symphony";

    private static readonly OptionSpec<string> ServiceNameSpec = new("service_name", OptionTypes.String, "Symphony service name")
    {
        ShortAlias = "-sn",
        Required = true,
        Validate = Rules.NotEmpty,
    };

    public static ConfigSection<SymphonyWorkerManagerOptions> Section { get; } = new(
        "worker_manager",
        [ServiceNameSpec],
        [WorkerManagerCommonOptions.Group, WorkerOptions.Group, LoggingOptions.Group],
        values => new SymphonyWorkerManagerOptions(
            WorkerManagerCommonOptions.From(values),
            WorkerOptions.From(values),
            LoggingOptions.From(values),
            values.Get(ServiceNameSpec)))
    {
        StructuralKeys = ["type"],
    };
}
