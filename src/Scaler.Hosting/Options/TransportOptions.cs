using Scaler.Hosting.Configuration;
using Scaler.IO.Ymq;

namespace Scaler.Hosting.Options;

/// <summary>
/// What a process that binds lets its peers hold (ours; the reference has no such limits): TOML group
/// <c>transport</c> (its keys directly in the section or in <c>[section.transport]</c>). Each applies to every binder of
/// the process (a scheduler's, its monitor's and its embedded object storage's); docs/transport.md explains them.
/// </summary>
public sealed record TransportOptions(
    long MaxPartialFrameBytes,
    long MaxPartialFrameBytesPerPeer,
    int MaxConnections,
    TimeSpan FrameStallTimeout)
{
    /// <summary>The transport's own defaults; 0 bytes means "derived from the largest frame accepted".</summary>
    public static TransportOptions Default { get; } = new(0, 0, new YmqOptions().MaxConnections, new YmqOptions().FrameStallTimeout);

    internal static readonly OptionSpec<long> MaxPartialFrameBytesSpec = new(
        "max_partial_frame_bytes",
        OptionTypes.Int64,
        "bytes each binder may hold for frames still arriving, over all peers; a peer that would take more is dropped (0: twice the largest frame accepted)")
    {
        Default = Default.MaxPartialFrameBytes,
        Validate = Rules.NotNegative,
    };

    internal static readonly OptionSpec<long> MaxPartialFrameBytesPerPeerSpec = new(
        "max_partial_frame_bytes_per_peer",
        OptionTypes.Int64,
        "the same, for the connections from one IP address (0: the largest frame accepted)")
    {
        Default = Default.MaxPartialFrameBytesPerPeer,
        Validate = Rules.NotNegative,
    };

    internal static readonly OptionSpec<int> MaxConnectionsSpec = new(
        "max_connections",
        OptionTypes.Int32,
        "connections each binder keeps open at once; more are closed as soon as they are accepted")
    {
        Default = Default.MaxConnections,
        Validate = Rules.Positive,
    };

    internal static readonly OptionSpec<TimeSpan> FrameStallTimeoutSpec = new(
        "frame_stall_timeout_seconds",
        OptionTypes.Seconds,
        "drop a peer whose frame in progress gains less than 16 KiB for this many seconds")
    {
        Default = Default.FrameStallTimeout,
        Validate = Rules.PositiveDuration,
    };

    public static OptionGroup Group { get; } = new(
        "transport", [MaxPartialFrameBytesSpec, MaxPartialFrameBytesPerPeerSpec, MaxConnectionsSpec, FrameStallTimeoutSpec]);

    /// <summary>Sets these limits on the transport settings of a binder (0 bytes leaves the transport's derived default).</summary>
    public YmqOptions ApplyTo(YmqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.MaxPartialFrameBytes = MaxPartialFrameBytes > 0 ? MaxPartialFrameBytes : null;
        options.MaxPartialFrameBytesPerPeer = MaxPartialFrameBytesPerPeer > 0 ? MaxPartialFrameBytesPerPeer : null;
        options.MaxConnections = MaxConnections;
        options.FrameStallTimeout = FrameStallTimeout;
        return options;
    }

    internal static TransportOptions From(OptionValues values) => new(
        values.Get(MaxPartialFrameBytesSpec),
        values.Get(MaxPartialFrameBytesPerPeerSpec),
        values.Get(MaxConnectionsSpec),
        values.Get(FrameStallTimeoutSpec));
}
