using Scaler.Hosting.Configuration;
using Scaler.IO.Tls;

namespace Scaler.Hosting.Options;

/// <summary>
/// TLS files of a process: <c>--tls-cert/-tc</c> and <c>--tls-key/-tk</c> (the reference's, both or neither: the
/// certificate a <c>tls://</c> binder presents, and a connector when asked), and <c>--tls-ca/-tca</c> (ours: the CA
/// that peers' certificates must chain to, which turns on mutual TLS and roles; docs/security.md).
/// </summary>
public sealed record SecurityOptions(string? TlsCertificatePath, string? TlsKeyPath)
{
    internal static readonly OptionSpec<string> CertificateSpec = new(
        "tls_cert",
        OptionTypes.String,
        "PEM certificate chain file this process presents on tls:// sockets (as a server; as a client when asked)")
    {
        ShortAlias = "-tc",
    };

    internal static readonly OptionSpec<string> KeySpec = new(
        "tls_key",
        OptionTypes.String,
        "PEM private key file matching --tls-cert")
    {
        ShortAlias = "-tk",
    };

    internal static readonly OptionSpec<string> CaSpec = new(
        "tls_ca",
        OptionTypes.String,
        "PEM file of the CA certificates peers must chain to: turns on mutual TLS and roles (docs/security.md)")
    {
        ShortAlias = "-tca",
    };

    public static OptionGroup Group { get; } = new("security", [CertificateSpec, KeySpec, CaSpec]);

    public static SecurityOptions None { get; } = new(null, null);

    /// <summary>
    /// <c>--tls-ca</c>: the CA file. Set, binders require peers' certificates chained to it and connectors verify the
    /// server against it.
    /// </summary>
    public string? TlsCaPath { get; init; }

    public bool HasCredentials => TlsCertificatePath is not null && TlsKeyPath is not null;

    /// <summary>The files as the transport takes them.</summary>
    public TlsSettings ToTlsSettings() => new() { CertificatePath = TlsCertificatePath, KeyPath = TlsKeyPath, CaPath = TlsCaPath };

    internal static SecurityOptions From(OptionValues values)
    {
        var certificate = values.Get(CertificateSpec);
        var key = values.Get(KeySpec);
        if ((certificate is null) != (key is null))
        {
            throw new ConfigurationException("--tls-cert/-tc and --tls-key/-tk must be given together");
        }

        return new SecurityOptions(certificate, key) { TlsCaPath = values.Get(CaSpec) };
    }
}
