using Scaler.Hosting.Configuration;
using Scaler.Hosting.Sections;
using Scaler.IO.Addressing;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Runtime;
using StorageServerOptions = Scaler.ObjectStorage.Server.ObjectStorageServerOptions;

namespace Scaler.Cli.Commands;

/// <summary>
/// The one mapping of the CLI's <c>[scheduler]</c> section (whole seconds, address text, policy text) onto the
/// scheduler's own <see cref="SchedulerServerOptions"/>. What the section's specs cannot check alone is checked here,
/// with the words the command line uses.
/// </summary>
internal static class SchedulerOptionsMapping
{
    /// <exception cref="PolicyContentException">The policy engine type or content is not valid.</exception>
    /// <exception cref="FormatException">An address is not one the transport can use.</exception>
    /// <exception cref="ConfigurationException"><c>tls_ca</c> is set for a <c>tcp://</c> bind address.</exception>
    public static SchedulerServerOptions ToServerOptions(SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var policy = PolicyContent.Parse(options.Policy.EngineType, options.Policy.Content);
        var bindAddress = ScalerAddress.Parse(options.BindAddress);
        var storageAddress = ParseOptional(options.ObjectStorageAddress);
        var advertised = ParseOptional(options.AdvertisedObjectStorageAddress);
        var monitorAddress = ParseOptional(options.MonitorAddress);
        var tls = options.Security.ToTlsSettings();
        if (tls.VerifiesPeers && !bindAddress.IsSecure)
        {
            throw new ConfigurationException(
                $"--tls-ca/-tca is set but the bind address {bindAddress} is not tls://: certificates can only be required over TLS");
        }

        var transport = options.Transport;
        return new SchedulerServerOptions
        {
            BindAddress = bindAddress,
            ObjectStorageAddress = storageAddress,
            AdvertisedObjectStorageAddress = advertised,
            MonitorAddress = monitorAddress,
            StatusReportInterval = TimeSpan.FromSeconds(options.StatusReportIntervalSeconds),
            Protected = options.Protected,
            MaxTasksWaiting = options.MaxNumberOfTasksWaiting >= 0 ? options.MaxNumberOfTasksWaiting : null,
            ClientTimeout = TimeSpan.FromSeconds(options.ClientTimeoutSeconds),
            WorkerTimeout = TimeSpan.FromSeconds(options.WorkerTimeoutSeconds),
            ObjectRetention = TimeSpan.FromSeconds(options.ObjectRetentionSeconds),

            // Negative disables balancing; the section refuses 0.
            LoadBalanceInterval = options.LoadBalanceSeconds > 0 ? TimeSpan.FromSeconds(options.LoadBalanceSeconds) : null,
            LoadBalanceTriggerTimes = options.LoadBalanceTriggerTimes,
            Policy = policy,
            Tls = tls,
            ConfigureTransport = ymq => transport.ApplyTo(ymq),
            EmbeddedStorageMaxObjectBytes = options.ObjectStorageLimits.MaxObjectBytes,

            // 0 means the server's own default: half of the memory available to the process.
            EmbeddedStorageMaxTotalBytes = options.ObjectStorageLimits.MaxTotalBytes > 0
                ? options.ObjectStorageLimits.MaxTotalBytes
                : StorageServerOptions.DefaultMaxTotalBytes,
        };
    }

    private static ScalerAddress? ParseOptional(string? text) => text is null ? null : ScalerAddress.Parse(text);
}
