using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tls;

/// <summary>
/// TLS for <c>tls://</c> addresses. The binder presents a certificate loaded from PEM cert + key files (reference
/// options <c>tls_cert</c>/<c>tls_key</c>, <c>src/cpp/scaler/ymq/tls_config.cpp</c>). The connector checks the server
/// against <see cref="YmqOptions.TlsCaPath"/> when given; without it, like the reference, it accepts any certificate.
/// </summary>
internal static class YmqTls
{
    public static X509Certificate2 LoadServerCertificate(YmqOptions options)
    {
        if (options.TlsCertificatePath is null || options.TlsKeyPath is null)
        {
            throw new ArgumentException(
                "a tls:// binder needs YmqOptions.TlsCertificatePath and YmqOptions.TlsKeyPath (PEM files)", nameof(options));
        }

        var certificate = X509Certificate2.CreateFromPemFile(options.TlsCertificatePath, options.TlsKeyPath);
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

    public static SslServerAuthenticationOptions ServerOptions(X509Certificate2 certificate) => new()
    {
        ServerCertificate = certificate,
        ClientCertificateRequired = false,
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

    public static SslClientAuthenticationOptions ClientOptions(ScalerAddress address, X509Certificate2Collection? trustedCas, bool checkName)
    {
        return new SslClientAuthenticationOptions
        {
            TargetHost = address.Host,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                trustedCas is null || Validate(certificate, errors, trustedCas, checkName),
        };
    }

    private static bool Validate(
        X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection trustedCas, bool checkName)
    {
        if (certificate is null)
        {
            return false;
        }

        if (checkName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedCas);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
