using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tls;

/// <summary>
/// TLS for <c>tls://</c> addresses. The binder presents a certificate loaded from PEM cert + key files (reference
/// options <c>tls_cert</c>/<c>tls_key</c>, <c>src/cpp/scaler/ymq/tls_config.cpp</c>); with
/// <see cref="YmqOptions.TlsCaPath"/> it also requires a client certificate chained to that CA (mutual TLS, which the
/// reference does not have). The connector checks the server against <see cref="YmqOptions.TlsCaPath"/> when given
/// (without it, like the reference, it accepts any certificate) and presents its own certificate when it has one.
/// </summary>
internal static class YmqTls
{
    /// <summary>Loads <see cref="YmqOptions.TlsCertificatePath"/> with its key: what a binder always presents.</summary>
    public static X509Certificate2 LoadServerCertificate(YmqOptions options)
    {
        if (options.TlsCertificatePath is null || options.TlsKeyPath is null)
        {
            throw new ArgumentException(
                "a tls:// binder needs YmqOptions.TlsCertificatePath and YmqOptions.TlsKeyPath (PEM files)", nameof(options));
        }

        return LoadCertificate(options.TlsCertificatePath, options.TlsKeyPath);
    }

    /// <summary>The certificate a connector presents when the server asks for one, or null when it has none.</summary>
    public static X509Certificate2? LoadClientCertificate(YmqOptions options) =>
        options.TlsCertificatePath is { } certificate && options.TlsKeyPath is { } key ? LoadCertificate(certificate, key) : null;

    /// <param name="check">null: no client certificate is asked for (the reference's encryption-only TLS)</param>
    public static SslServerAuthenticationOptions ServerOptions(X509Certificate2 certificate, PeerCertificateCheck? check) => new()
    {
        ServerCertificate = certificate,
        ClientCertificateRequired = check is not null,
        RemoteCertificateValidationCallback = check is null ? null : check.Validate,
    };

    public static X509Certificate2Collection? LoadTrustedCas(YmqOptions options)
    {
        if (options.TlsCaPath is null)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(options.TlsCaPath);
        if (collection.Count == 0)
        {
            throw new ArgumentException($"YmqOptions.TlsCaPath '{options.TlsCaPath}' holds no PEM certificate", nameof(options));
        }

        return collection;
    }

    /// <param name="clientCertificate">presented whenever the server asks (whatever CA list it names); null: none</param>
    /// <param name="check">null: any server certificate is accepted, as the reference does</param>
    public static SslClientAuthenticationOptions ClientOptions(
        ScalerAddress address, X509Certificate2? clientCertificate, PeerCertificateCheck? check) => new()
    {
        TargetHost = address.Host,
        LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
        RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            check is null || check.Validate(sender, certificate, chain, errors),
    };

    private static X509Certificate2 LoadCertificate(string certificatePath, string keyPath)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        if (!OperatingSystem.IsWindows())
        {
            return certificate;
        }

        // SChannel cannot use an ephemeral PEM key: round-trip through PKCS#12 so the key is persisted for the handshake.
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
