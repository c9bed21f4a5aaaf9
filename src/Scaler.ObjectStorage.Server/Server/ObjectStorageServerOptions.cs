using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Store;

namespace Scaler.ObjectStorage.Server;

/// <summary>Settings of an <see cref="ObjectStorageServer"/>; read once, when it starts.</summary>
public sealed class ObjectStorageServerOptions
{
    /// <summary>Default of <see cref="MaxObjectBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxObjectBytes = 1L << 30;

    /// <summary>Default of <see cref="MaxWaitingRequests"/>.</summary>
    public const int DefaultMaxWaitingRequests = 1 << 20;

    /// <summary>Default of <see cref="MaxWaitingRequestsPerPeer"/>.</summary>
    public const int DefaultMaxWaitingRequestsPerPeer = 1 << 16;

    /// <summary>Default of <see cref="MaxQueuedAnswersPerPeer"/>.</summary>
    public const int DefaultMaxQueuedAnswersPerPeer = 1 << 16;

    /// <summary>Default of <see cref="LostPeerGracePeriod"/>.</summary>
    public static readonly TimeSpan DefaultLostPeerGracePeriod = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Default of <see cref="MaxTotalBytes"/>: half of the memory this process may use (the machine's, or its
    /// container's limit), so that a full store leaves room for the frames in flight and the rest of the process.
    /// </summary>
    public static long DefaultMaxTotalBytes { get; } =
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes is > 0 and var available ? available / 2 : 1L << 30;

    /// <summary>Where to listen (<c>tcp://host:port</c> or <c>tls://host:port</c>; port 0 picks a free port).</summary>
    public required ScalerAddress Address { get; set; }

    /// <summary>The identity announced to peers. Default <c>ObjectStorageServer</c>, as the reference.</summary>
    public string Identity { get; set; } = "ObjectStorageServer";

    /// <summary>
    /// Largest object a peer may set, in bytes. A set announcing more closes that peer before its payload is read, and
    /// the transport drops a peer whose frame is larger before allocating it; Scaler.NET clients learn the limit from
    /// the server's answers and refuse such a set themselves. Default 1 GiB; at most
    /// <see cref="YmqOptions.MaxSupportedFrameBytes"/> (one array per object).
    /// </summary>
    public long MaxObjectBytes { get; set; } = DefaultMaxObjectBytes;

    /// <summary>
    /// Bytes the store may hold: distinct contents (shared content counted once) plus
    /// <see cref="StoreLimits.BookkeepingBytesPerObjectId"/> per object ID. A set or duplicate past it is refused.
    /// Default <see cref="DefaultMaxTotalBytes"/>.
    /// </summary>
    public long MaxTotalBytes { get; set; } = DefaultMaxTotalBytes;

    /// <summary>Gets and duplicates that may wait for objects that do not exist yet, over all peers. Default 1,048,576.</summary>
    public int MaxWaitingRequests { get; set; } = DefaultMaxWaitingRequests;

    /// <summary>The same for one peer. Default 65,536.</summary>
    public int MaxWaitingRequestsPerPeer { get; set; } = DefaultMaxWaitingRequestsPerPeer;

    /// <summary>
    /// Answers that may wait for one peer to read them (beyond the transport's send queue); a peer with more is not
    /// reading and is dropped. Default 65,536.
    /// </summary>
    public int MaxQueuedAnswersPerPeer { get; set; } = DefaultMaxQueuedAnswersPerPeer;

    /// <summary>
    /// How long the waiting requests of a peer whose connection broke are kept for it to reconnect under the same
    /// identity. Default 60 s.
    /// </summary>
    public TimeSpan LostPeerGracePeriod { get; set; } = DefaultLostPeerGracePeriod;

    /// <summary>PEM certificate chain for a <c>tls://</c> address.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>
    /// PEM file of the CA certificates peers must chain to (<c>tls_ca</c>), with a <c>tls://</c> address: every peer must
    /// present a certificate holding the client, admin, worker or server role, and each request is checked against
    /// it (<see cref="ObjectAccessPolicy"/>). Unset, the server is open, as the reference's.
    /// </summary>
    public string? TlsCaPath { get; set; }

    /// <summary>The roles the binder admits with a CA: every role that has business with object storage.</summary>
    internal const ScalerRoles AdmittedRoles = ScalerRoles.Client | ScalerRoles.Admin | ScalerRoles.Worker | ScalerRoles.Server;

    /// <summary>The TLS files as the transport takes them.</summary>
    internal TlsSettings Tls => new() { CertificatePath = TlsCertificatePath, KeyPath = TlsKeyPath, CaPath = TlsCaPath };

    /// <summary>Clock for the transport's timeouts, the lost peers' grace period and the memory returns.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Applied last to the transport settings: the limits an operator set on what peers may hold (the CLI's
    /// <c>transport</c> group: partial-frame budgets, connections, the frame stall timeout).
    /// </summary>
    public Action<YmqOptions>? ConfigureTransport { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Address);
        ArgumentException.ThrowIfNullOrEmpty(Identity);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (MaxObjectBytes < 0 || MaxObjectBytes > YmqOptions.MaxSupportedFrameBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxObjectBytes),
                MaxObjectBytes,
                $"ObjectStorageServerOptions.MaxObjectBytes must be between 0 and {YmqOptions.MaxSupportedFrameBytes}");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxTotalBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxWaitingRequests);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxWaitingRequestsPerPeer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxQueuedAnswersPerPeer);
        ArgumentOutOfRangeException.ThrowIfLessThan(LostPeerGracePeriod, TimeSpan.Zero);
        if (TlsCaPath is not null && !Address.IsSecure)
        {
            // Certificates cannot be checked over plain TCP: starting would leave open a store its operator meant closed.
            throw new ArgumentException(
                $"tls_ca is set but the object storage address {Address} is not tls://: certificates can only be required over TLS",
                nameof(TlsCaPath));
        }
    }

    /// <summary>
    /// The transport settings: frames up to the object limit (headers are 80 bytes, so at least 1 KiB), and the TLS files
    /// last, so that the transport group cannot undo the CA.
    /// </summary>
    internal YmqOptions ToYmqOptions()
    {
        var options = new YmqOptions
        {
            Identity = Identity,
            MaxFrameBytes = Math.Max(MaxObjectBytes, 1024),
            TimeProvider = TimeProvider,
        };
        ConfigureTransport?.Invoke(options);
        return Tls.ForBinder(options, AdmittedRoles);
    }

    /// <summary>The request processor's limits and clock.</summary>
    internal RequestProcessorSettings ToProcessorSettings() => new(
        MaxObjectBytes,
        new StoreLimits(MaxTotalBytes, MaxWaitingRequests, MaxWaitingRequestsPerPeer),
        LostPeerGracePeriod,
        TimeProvider);
}
