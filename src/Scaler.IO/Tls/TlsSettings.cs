using Scaler.IO.Ymq;

namespace Scaler.IO.Tls;

/// <summary>
/// The TLS files of one process, as its configuration gives them (<c>tls_cert</c>, <c>tls_key</c>, <c>tls_ca</c>), and
/// how they become transport options for each of its binders and connectors. A process started by another (a worker
/// by its manager, a processor by its worker) gets the same settings.
/// </summary>
public sealed record TlsSettings
{
    /// <summary>No certificate, no CA: plain TCP, or the reference's encryption-only TLS.</summary>
    public static TlsSettings None { get; } = new();

    /// <summary>PEM certificate chain this process presents: as a server always, as a connector when the server asks.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; init; }

    /// <summary>
    /// PEM file of the CA certificates this process trusts. Set, it turns on mutual TLS: binders refuse peers without a
    /// certificate chained to it, connectors refuse servers without one.
    /// </summary>
    public string? CaPath { get; init; }

    /// <summary>True when <see cref="CaPath"/> is set: peers are verified, and roles apply.</summary>
    public bool VerifiesPeers => CaPath is not null;

    /// <summary>True when a certificate and its key are both given.</summary>
    public bool HasCertificate => CertificatePath is not null && KeyPath is not null;

    /// <summary>
    /// Copies the files into <paramref name="options"/> for a binder that accepts peers holding any of
    /// <paramref name="acceptedRoles"/> (checked only with a CA), and returns it.
    /// </summary>
    public YmqOptions ForBinder(YmqOptions options, ScalerRoles acceptedRoles)
    {
        ArgumentNullException.ThrowIfNull(options);
        Apply(options);
        options.TlsAcceptedPeerRoles = VerifiesPeers ? acceptedRoles : ScalerRoles.None;
        return options;
    }

    /// <summary>
    /// Copies the files into <paramref name="options"/> for a connector to a scheduler or an object storage server:
    /// with a CA, the server must also hold <see cref="ScalerRoles.Server"/>. Returns it.
    /// </summary>
    public YmqOptions ForConnectorToServer(YmqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Apply(options);
        options.TlsAcceptedPeerRoles = VerifiesPeers ? ScalerRoles.Server : ScalerRoles.None;
        return options;
    }

    private void Apply(YmqOptions options)
    {
        options.TlsCertificatePath = CertificatePath;
        options.TlsKeyPath = KeyPath;
        options.TlsCaPath = CaPath;
    }
}
