using Scaler.Hosting.Configuration;

namespace Scaler.Hosting.Options;

/// <summary>TLS credentials for binding <c>tls://</c> sockets: <c>--tls-cert/-tc</c> and <c>--tls-key/-tk</c>, both or neither.</summary>
public sealed record SecurityOptions(string? TlsCertificatePath, string? TlsKeyPath)
{
    internal static readonly OptionSpec<string> CertificateSpec = new(
        "tls_cert",
        OptionTypes.String,
        "PEM certificate chain file for tls:// sockets this process binds")
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

    public static OptionGroup Group { get; } = new("security", [CertificateSpec, KeySpec]);

    public static SecurityOptions None { get; } = new(null, null);

    public bool HasCredentials => TlsCertificatePath is not null && TlsKeyPath is not null;

    internal static SecurityOptions From(OptionValues values)
    {
        var certificate = values.Get(CertificateSpec);
        var key = values.Get(KeySpec);
        if ((certificate is null) != (key is null))
        {
            throw new ConfigurationException("--tls-cert/-tc and --tls-key/-tk must be given together");
        }

        return new SecurityOptions(certificate, key);
    }
}
