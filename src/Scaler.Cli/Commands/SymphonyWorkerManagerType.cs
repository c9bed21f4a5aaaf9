using Scaler.Hosting.Sections;
using Scaler.Symphony.Ibm;
using Scaler.WorkerManager.Symphony;

namespace Scaler.Cli.Commands;

/// <summary><c>symphony</c>: tasks run as IBM Spectrum Symphony (SOAM) tasks.</summary>
internal static class SymphonyWorkerManagerType
{
    public static WorkerManagerType<SymphonyWorkerManagerOptions, SymphonyWorkerManagerSettings> Descriptor { get; } = new(
        SymphonyWorkerManagerOptions.TypeName,
        "Run tasks as IBM Spectrum Symphony (SOAM) tasks",
        SymphonyWorkerManagerOptions.Section,
        ToSettings,
        (settings, loggerFactory, shutdown) => SymphonyWorkerManager.RunAsync(settings, loggerFactory, shutdown));

    /// <exception cref="FormatException">An address is not one the transport can use.</exception>
    public static SymphonyWorkerManagerSettings ToSettings(SymphonyWorkerManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SymphonyWorkerManagerSettings
        {
            Manager = WorkerManagerSettingsMapping.ToSettings(options, options.Security),
            ServiceName = options.ServiceName,
            SessionType = options.SessionType,
            SoamBackend = options.SoamBackend switch
            {
                SymphonySoamBackend.Ibm => SoamBackendKind.Ibm,
                SymphonySoamBackend.Local => SoamBackendKind.Local,
                _ => SoamBackendKind.Auto,
            },
            SoamLibraryPath = options.SoamLibraryPath,
        };
    }
}
