using Microsoft.Extensions.Logging;

namespace Scaler.Scheduler.Security;

/// <summary>Log lines of the scheduler's authentication and authorization.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "refused {Peer} [{Holder}]: {What} (further refusals of this peer are not logged)")]
    public static partial void Refused(ILogger logger, string peer, string holder, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the cluster is OPEN on {Address} ({Why}): any host that reaches it can submit tasks, act as a worker and read their results, watch the monitor stream and shut the cluster down. Set tls_cert, tls_key and tls_ca with a tls:// address to require certificates (docs/security.md)")]
    public static partial void ClusterOpen(ILogger logger, string address, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "mutual TLS on {Address}: peers need a certificate from {CaPath}; clients and admins submit, workers run tasks, only admins shut down, the monitor on {MonitorAddress} serves monitors and admins")]
    public static partial void ClusterClosed(ILogger logger, string address, string caPath, string monitorAddress);
}
