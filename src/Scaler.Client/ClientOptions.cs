using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Functions;
using Scaler.IO.Addressing;

namespace Scaler;

/// <summary>
/// Settings of a <see cref="Client"/>. Every property has a documented default, so <c>new ClientOptions()</c> is a
/// working configuration; <see cref="Validate"/> (called by the client) rejects values that cannot work, naming the
/// property.
/// </summary>
public sealed class ClientOptions
{
    /// <summary>
    /// How long connecting may take, from the first TCP attempt until the scheduler has answered the first heartbeat
    /// and the object storage it names is connected. Default 10 s. When it runs out the client throws
    /// <see cref="ScalerClientException"/> ("could not reach the scheduler at tcp://…: …").
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a heartbeat is sent to the scheduler (at most one is outstanding at a time, as in the reference
    /// client). Default 2 s, the reference default.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the scheduler may stay silent before the client gives up on it and fails every pending task with
    /// <see cref="ScalerClientException"/>. Default 60 s, the reference's client timeout. Must exceed
    /// <see cref="HeartbeatInterval"/>.
    /// </summary>
    public TimeSpan SchedulerTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long <see cref="Client.Shutdown"/> waits for the scheduler's answer. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The serializer for arguments, captured values and results. Default
    /// <see cref="MessagePackScalerSerializer.Instance"/>. Workers must have the same format registered.
    /// </summary>
    public IScalerSerializer Serializer { get; set; } = MessagePackScalerSerializer.Instance;

    /// <summary>
    /// Object storage address to use instead of the one the scheduler advertises (for example behind a port
    /// mapping), as <c>tcp://host:port</c>. Default null: use the scheduler's.
    /// </summary>
    public string? ObjectStorageAddress { get; set; }

    /// <summary>
    /// PEM certificate the client presents when the scheduler or object storage asks for one (a <c>tls://</c> cluster
    /// with mutual TLS, docs/security.md): it must name the <c>client</c> (or <c>admin</c>) role. Default null: none.
    /// Set together with <see cref="TlsKeyPath"/>.
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>
    /// PEM file of the CA certificates the servers' certificates must chain to (and carry the <c>server</c> role), for
    /// <c>tls://</c> addresses. Default null: any server certificate is accepted, as the reference client does, and a
    /// warning is logged; an impostor scheduler is then not noticed.
    /// </summary>
    public string? TlsCaPath { get; set; }

    /// <summary>Where the client logs. Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Clock for heartbeats and timeouts. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(HeartbeatInterval, nameof(HeartbeatInterval));
        RequirePositive(SchedulerTimeout, nameof(SchedulerTimeout));
        RequirePositive(ShutdownTimeout, nameof(ShutdownTimeout));
        if (SchedulerTimeout <= HeartbeatInterval)
        {
            throw new ArgumentOutOfRangeException(
                nameof(SchedulerTimeout), SchedulerTimeout, $"{nameof(SchedulerTimeout)} must be longer than {nameof(HeartbeatInterval)} ({HeartbeatInterval})");
        }

        if (Serializer is null)
        {
            throw new ArgumentNullException(nameof(Serializer), $"{nameof(Serializer)} must be set");
        }

        if (LoggerFactory is null)
        {
            throw new ArgumentNullException(nameof(LoggerFactory), $"{nameof(LoggerFactory)} must be set");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), $"{nameof(TimeProvider)} must be set");
        }

        if ((TlsCertificatePath is null) != (TlsKeyPath is null))
        {
            throw new ArgumentException(
                $"{nameof(TlsCertificatePath)} and {nameof(TlsKeyPath)} must be set together", TlsCertificatePath is null ? nameof(TlsCertificatePath) : nameof(TlsKeyPath));
        }

        if (ObjectStorageAddress is not null && !ScalerAddress.TryParse(ObjectStorageAddress, out _))
        {
            throw new ArgumentException(
                $"{nameof(ObjectStorageAddress)} '{ObjectStorageAddress}' is not an address like tcp://host:port", nameof(ObjectStorageAddress));
        }
    }

    internal ClientOptions Clone() => (ClientOptions)MemberwiseClone();

    /// <summary>The TLS files as the transport takes them.</summary>
    internal IO.Tls.TlsSettings Tls => new() { CertificatePath = TlsCertificatePath, KeyPath = TlsKeyPath, CaPath = TlsCaPath };

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive, finite time span");
        }
    }
}
