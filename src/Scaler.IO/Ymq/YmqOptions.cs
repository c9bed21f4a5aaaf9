namespace Scaler.IO.Ymq;

/// <summary>
/// Settings of a <see cref="YmqBinder"/> or <see cref="YmqConnector"/>. They are read once, when the binder binds or
/// the connector starts; later changes have no effect. Defaults follow the reference where it has one
/// (<c>src/cpp/scaler/ymq/configuration.h</c>).
/// </summary>
public sealed class YmqOptions
{
    /// <summary>Largest payload a single .NET array can hold; frames are received into one array each.</summary>
    public static readonly long MaxSupportedFrameBytes = Array.MaxLength;

    /// <summary>The identity this side announces in its first frame (sent as UTF-8). Required, non-empty.</summary>
    public string Identity { get; set; } = string.Empty;

    /// <summary>
    /// Largest frame payload accepted from a peer; a peer that declares more is dropped before anything is allocated.
    /// Default 1 GiB: objects the object storage moves can be large, while a hostile peer cannot make one connection
    /// reserve more than this. At most <see cref="MaxSupportedFrameBytes"/> (one array per frame).
    /// </summary>
    public long MaxFrameBytes { get; set; } = 1L << 30;

    /// <summary>Largest identity frame accepted from a peer. Default 4 KiB (real identities are under 100 bytes).</summary>
    public int MaxIdentityBytes { get; set; } = 4096;

    /// <summary>Delay before the first connect retry; each later retry doubles it (reference: 100 ms, first wait 200 ms).</summary>
    public TimeSpan ConnectRetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of one retry delay. Default 30 s (the reference's 8 retries never exceed 25.6 s).</summary>
    public TimeSpan ConnectRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first failed attempt before the connector gives up; null retries forever. Default 8 (reference).</summary>
    public int? ConnectMaxRetries { get; set; } = 8;

    /// <summary>Time allowed for one connection attempt: TCP connect, TLS handshake and the YMQ magic + identity exchange. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long disposing waits for frames already queued to be written before it closes the connection (a shutdown
    /// answer or a disconnect sent just before disposing). Zero closes at once.
    /// </summary>
    public TimeSpan CloseFlushTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a connector reconnects after its peer closed the connection in an orderly way (TCP FIN). The reference
    /// does not (an orderly close means "gone for good"), so the default is false. Broken connections are always retried.
    /// </summary>
    public bool ReconnectAfterPeerClose { get; set; }

    /// <summary>
    /// Bytes of frames queued for one connection (a connector's queue also holds frames while disconnected) before
    /// SendAsync waits for room. A single frame larger than this is still accepted when the queue is empty. Default 64 MiB.
    /// </summary>
    public long SendQueueMaxBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Bytes of received frames not yet read by the consumer before the transport stops reading from the network
    /// (TCP back-pressure). A binder shares one budget across its peers. Default 64 MiB.
    /// </summary>
    public long ReceiveQueueMaxBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Bytes a binder may hold for frames still arriving, over all its connections (a connector: over its one
    /// connection). Memory follows the bytes received, not the length a peer declares, and a peer whose frame would take
    /// the total past this is dropped and logged. Null (the default) means twice <see cref="MaxFrameBytes"/>, so one
    /// largest frame always fits beside another.
    /// </summary>
    public long? MaxPartialFrameBytes { get; set; }

    /// <summary>
    /// The same bound for the connections from one remote IP address, so one host cannot take the whole of
    /// <see cref="MaxPartialFrameBytes"/> from the others. Null (the default) means <see cref="MaxFrameBytes"/>.
    /// </summary>
    public long? MaxPartialFrameBytesPerPeer { get; set; }

    /// <summary>
    /// A peer in the middle of a frame must go on sending it: when a frame in progress gains less than 16 KiB and
    /// none completes for this long, the peer is dropped and logged. Idle connections (no frame begun) are not timed out
    /// by the transport. Default 30 s.
    /// </summary>
    public TimeSpan FrameStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A binder drops a greeted connection that sends nothing at all for this long (logged with the reason). Null (the
    /// default) means never: only a port whose every legitimate peer sends at least once per such period may set it.
    /// The scheduler's main port sets it to the longer of its client and worker timeouts (its clients and workers
    /// heartbeat), while object storage and the monitor port leave it off: their peers may rightly be silent for hours
    /// (a client between jobs, a subscriber), and are bounded there by <see cref="MaxConnections"/> and, with mutual
    /// TLS, by certificates. Connectors ignore it.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// Connections a binder keeps open at once, greeted or not; one more is closed as soon as it is accepted (logged
    /// at most once per 10 s with a count). Default 16,384.
    /// </summary>
    public int MaxConnections { get; set; } = 16_384;

    /// <summary><see cref="MaxPartialFrameBytes"/> with its default applied.</summary>
    internal long EffectiveMaxPartialFrameBytes => MaxPartialFrameBytes ?? Math.Max(2 * MaxFrameBytes, 1);

    /// <summary><see cref="MaxPartialFrameBytesPerPeer"/> with its default applied.</summary>
    internal long EffectiveMaxPartialFrameBytesPerPeer => MaxPartialFrameBytesPerPeer ?? Math.Max(MaxFrameBytes, 1);

    /// <summary>Enable TCP keep-alive probes on every connection. Default true (reference).</summary>
    public bool TcpKeepAlive { get; set; } = true;

    /// <summary>Idle time before the first keep-alive probe. Default 30 s (reference <c>tcpKeepAliveDelaySeconds</c>).</summary>
    public TimeSpan TcpKeepAliveTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time between keep-alive probes. Default 10 s.</summary>
    public TimeSpan TcpKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// PEM certificate a <c>tls://</c> binder presents (reference option <c>tls_cert</c>). A connector presents it too
    /// when the server asks for a client certificate (mutual TLS, <see cref="TlsCaPath"/> on the binder).
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/> (reference option <c>tls_key</c>).</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>
    /// PEM file of the CA certificates trusted (the system store is not used). On a <c>tls://</c> connector: when null
    /// the server certificate is not verified, like the reference (whose client context sets no verification), and a
    /// warning is logged; when set, the server's chain must end at one of these certificates. On a <c>tls://</c>
    /// binder: when set, every peer must present a certificate whose chain ends at one of them (mutual TLS), and the
    /// binder reports who it is (<see cref="YmqPeerConnected.Credentials"/>); a peer without one is refused and logged.
    /// </summary>
    public string? TlsCaPath { get; set; }

    /// <summary>
    /// With <see cref="TlsCaPath"/>: the peer's certificate must name one of these roles
    /// (<see cref="Tls.ScalerRoleUris"/>), else the handshake is refused and logged. <see cref="Tls.ScalerRoles.None"/>
    /// (the default) accepts any certificate the CA signed.
    /// </summary>
    public Tls.ScalerRoles TlsAcceptedPeerRoles { get; set; }

    /// <summary>When <see cref="TlsCaPath"/> is set, also require the certificate to name the host connected to. Default true.</summary>
    public bool TlsCheckCertificateName { get; set; } = true;

    /// <summary>
    /// Clock for retry delays, handshake timeouts, the close flush bound (<see cref="CloseFlushTimeout"/>), the frame
    /// stall timeout and a binder's accept back-off.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Identity))
        {
            throw new ArgumentException("YmqOptions.Identity must be set: it is the first frame sent to the peer", nameof(Identity));
        }

        if (System.Text.Encoding.UTF8.GetByteCount(Identity) > MaxIdentityBytes)
        {
            throw new ArgumentException($"YmqOptions.Identity is longer than YmqOptions.MaxIdentityBytes ({MaxIdentityBytes})", nameof(Identity));
        }

        if (MaxFrameBytes < 0 || MaxFrameBytes > MaxSupportedFrameBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxFrameBytes), MaxFrameBytes, $"YmqOptions.MaxFrameBytes must be between 0 and {MaxSupportedFrameBytes} (one array per frame)");
        }

        Positive(MaxIdentityBytes, nameof(MaxIdentityBytes));
        Positive(SendQueueMaxBytes, nameof(SendQueueMaxBytes));
        Positive(ReceiveQueueMaxBytes, nameof(ReceiveQueueMaxBytes));
        Positive(EffectiveMaxPartialFrameBytes, nameof(MaxPartialFrameBytes));
        Positive(EffectiveMaxPartialFrameBytesPerPeer, nameof(MaxPartialFrameBytesPerPeer));
        Positive(FrameStallTimeout.Ticks, nameof(FrameStallTimeout));
        Positive(MaxConnections, nameof(MaxConnections));
        if (IdleTimeout is { } idle)
        {
            Positive(idle.Ticks, nameof(IdleTimeout));
        }

        Positive(HandshakeTimeout.Ticks, nameof(HandshakeTimeout));
        Positive(ConnectRetryInitialDelay.Ticks + 1, nameof(ConnectRetryInitialDelay));
        Positive(ConnectRetryMaxDelay.Ticks + 1, nameof(ConnectRetryMaxDelay));
        if (ConnectMaxRetries is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectMaxRetries), ConnectMaxRetries, "YmqOptions.ConnectMaxRetries must be >= 0 or null (forever)");
        }

        if ((TlsCertificatePath is null) != (TlsKeyPath is null))
        {
            throw new ArgumentException("YmqOptions.TlsCertificatePath and TlsKeyPath must be given together", nameof(TlsKeyPath));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"YmqOptions.{name} must be positive");
        }
    }
}
