using Scaler.Hosting.Configuration;
using Scaler.Hosting.Options;

namespace Scaler.Hosting.Sections;

/// <summary>Which SOAM implementation the Symphony worker manager uses (<c>--soam-backend</c>).</summary>
public enum SymphonySoamBackend
{
    /// <summary>IBM's SOAM .NET API when it is found (library path or SOAM_HOME), else the built-in local engine.</summary>
    Auto,

    /// <summary>IBM's SOAM .NET API; an error when it is not found.</summary>
    Ibm,

    /// <summary>The built-in local engine (service instances are local processes).</summary>
    Local,
}

/// <summary>
/// The <c>symphony</c> worker manager: tasks run as IBM Spectrum Symphony (SOAM) tasks of the application named by
/// <c>--service-name</c>. Unlike the other types, <c>--max-task-concurrency</c> defaults to the CPU count minus one
/// (at least 1) and must be 1 or more: it bounds the tasks in flight in Symphony.
/// </summary>
public sealed record SymphonyWorkerManagerOptions(
    WorkerManagerCommonOptions Manager,
    WorkerOptions Worker,
    LoggingOptions Logging,
    string ServiceName)
    : WorkerManagerOptions(TypeName, Manager, Worker, Logging)
{
    public const string TypeName = "symphony";

    /// <summary>The session type the reference uses; it must exist in the application profile.</summary>
    public const string DefaultSessionType = "RecoverableAllHistoricalData";

    private static readonly OptionSpec<string> ServiceNameSpec = new("service_name", OptionTypes.String, "Symphony service name")
    {
        ShortAlias = "-sn",
        Required = true,
        Validate = Rules.NotEmpty,
    };

    private static readonly OptionSpec<string> SessionTypeSpec = new(
        "session_type", OptionTypes.String, "SOAM session type of the application profile to open")
    {
        Default = DefaultSessionType,
        Validate = Rules.NotEmpty,
    };

    private static readonly OptionSpec<SymphonySoamBackend> SoamBackendSpec = new(
        "soam_backend",
        OptionTypes.Choice(("auto", SymphonySoamBackend.Auto), ("ibm", SymphonySoamBackend.Ibm), ("local", SymphonySoamBackend.Local)),
        "'ibm' uses IBM's SOAM .NET API, 'local' the built-in engine, 'auto' IBM's when found")
    {
        Default = SymphonySoamBackend.Auto,
    };

    private static readonly OptionSpec<string> SoamLibraryPathSpec = new(
        "soam_library_path", OptionTypes.String, "IBM's SOAM .NET assembly, or a directory to search (default: search SOAM_HOME)");

    public static ConfigSection<SymphonyWorkerManagerOptions> Section { get; } = new(
        "worker_manager",
        [ServiceNameSpec, SessionTypeSpec, SoamBackendSpec, SoamLibraryPathSpec],
        [WorkerManagerCommonOptions.Group, WorkerOptions.Group, LoggingOptions.Group, SecurityOptions.Group],
        Build)
    {
        StructuralKeys = ["type"],
    };

    /// <summary>The SOAM session type (<c>--session-type</c>).</summary>
    public string SessionType { get; init; } = DefaultSessionType;

    /// <summary><c>--soam-backend</c>.</summary>
    public SymphonySoamBackend SoamBackend { get; init; } = SymphonySoamBackend.Auto;

    /// <summary><c>--soam-library-path</c>; null means "search SOAM_HOME".</summary>
    public string? SoamLibraryPath { get; init; }

    /// <summary>TLS files for the manager's connections to the scheduler and object storage (<c>--tls-*</c>).</summary>
    public SecurityOptions Security { get; init; } = SecurityOptions.None;

    /// <summary>The default of <c>--max-task-concurrency</c> for this type: CPUs − 1, at least 1.</summary>
    public static int DefaultMaxTaskConcurrency => Math.Max(1, Environment.ProcessorCount - 1);

    private static SymphonyWorkerManagerOptions Build(OptionValues values)
    {
        var manager = WorkerManagerCommonOptions.From(values, TypeName);
        if (values.SourceOf(WorkerManagerCommonOptions.MaxTaskConcurrencySpec) == OptionSource.Default)
        {
            manager = manager with { MaxTaskConcurrency = DefaultMaxTaskConcurrency };
        }
        else if (manager.MaxTaskConcurrency < 1)
        {
            throw new ConfigurationException(
                $"the symphony worker manager needs --max-task-concurrency/-mtc of 1 or more, got {manager.MaxTaskConcurrency}");
        }

        return new SymphonyWorkerManagerOptions(manager, WorkerOptions.From(values), LoggingOptions.From(values), values.Get(ServiceNameSpec))
        {
            SessionType = values.Get(SessionTypeSpec),
            SoamBackend = values.Get(SoamBackendSpec),
            SoamLibraryPath = values.Get(SoamLibraryPathSpec),
            Security = SecurityOptions.From(values),
        };
    }
}
