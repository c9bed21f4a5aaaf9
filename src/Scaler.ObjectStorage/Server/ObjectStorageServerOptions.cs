using Scaler.IO.Addressing;
using Scaler.IO.Ymq;

namespace Scaler.ObjectStorage.Server;

/// <summary>Settings of an <see cref="ObjectStorageServer"/>; read once, when it starts.</summary>
public sealed class ObjectStorageServerOptions
{
    /// <summary>Default of <see cref="MaxObjectBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxObjectBytes = 1L << 30;

    /// <summary>Where to listen (<c>tcp://host:port</c> or <c>tls://host:port</c>; port 0 picks a free port).</summary>
    public required ScalerAddress Address { get; set; }

    /// <summary>The identity announced to peers. Default <c>ObjectStorageServer</c>, as the reference.</summary>
    public string Identity { get; set; } = "ObjectStorageServer";

    /// <summary>
    /// Largest object a peer may set, in bytes. A set announcing more closes that peer before its payload is read, and
    /// the transport drops a peer whose frame is larger before allocating it. Default 1 GiB; at most
    /// <see cref="YmqOptions.MaxSupportedFrameBytes"/> (one array per object).
    /// </summary>
    public long MaxObjectBytes { get; set; } = DefaultMaxObjectBytes;

    /// <summary>PEM certificate chain for a <c>tls://</c> address.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>Clock for the transport's timeouts.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Address);
        ArgumentException.ThrowIfNullOrEmpty(Identity);
        if (MaxObjectBytes < 0 || MaxObjectBytes > YmqOptions.MaxSupportedFrameBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxObjectBytes),
                MaxObjectBytes,
                $"ObjectStorageServerOptions.MaxObjectBytes must be between 0 and {YmqOptions.MaxSupportedFrameBytes}");
        }
    }

    /// <summary>The transport settings: frames up to the object limit (headers are 80 bytes, so at least 1 KiB).</summary>
    internal YmqOptions ToYmqOptions() => new()
    {
        Identity = Identity,
        MaxFrameBytes = Math.Max(MaxObjectBytes, 1024),
        TlsCertificatePath = TlsCertificatePath,
        TlsKeyPath = TlsKeyPath,
        TimeProvider = TimeProvider,
    };
}
