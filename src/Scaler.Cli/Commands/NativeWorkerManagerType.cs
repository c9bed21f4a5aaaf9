using Scaler.Hosting.Sections;
using Scaler.WorkerManager.Native;

namespace Scaler.Cli.Commands;

/// <summary><c>baremetal_native</c>: workers are local processes of this executable.</summary>
internal static class NativeWorkerManagerType
{
    public static WorkerManagerType<NativeWorkerManagerOptions, NativeWorkerManagerSettings> Descriptor { get; } = new(
        NativeWorkerManagerOptions.TypeName,
        "Start workers as local processes",
        NativeWorkerManagerOptions.Section,
        ToSettings,
        (settings, loggerFactory, shutdown) => NativeWorkerManager.RunAsync(settings, loggerFactory, shutdown));

    /// <summary>The section onto the manager's settings; its logging options are its workers' too.</summary>
    /// <exception cref="FormatException">An address is not one the transport can use.</exception>
    public static NativeWorkerManagerSettings ToSettings(NativeWorkerManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new NativeWorkerManagerSettings
        {
            Manager = WorkerManagerSettingsMapping.ToSettings(options, options.Security),
            Scaling = options.Mode == NativeWorkerManagerMode.Fixed ? NativeWorkerScaling.Fixed : NativeWorkerScaling.Dynamic,
            WorkerNamePrefix = options.WorkerType,
            WorkerLogLevel = options.Logging.Level,
            WorkerLogPaths = options.Logging.Paths,
        };
    }
}
