using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scaler.Testing;

/// <summary>
/// A throw-away certificate authority for tests of mutual TLS, written as PEM files into a temporary folder (what
/// <c>scripts/make-dev-ca.sh</c> makes for a dev cluster, without openssl). <see cref="Issue"/> signs a certificate for
/// 127.0.0.1/localhost carrying role URIs <c>urn:scaler:role:NAME</c>; give the paths to <c>tls_cert</c>,
/// <c>tls_key</c> and <c>tls_ca</c>. Shared by the test projects (compiled from tests/Shared into each).
/// </summary>
internal sealed class TestPki : IDisposable
{
    private readonly ECDsa _caKey;
    private readonly X509Certificate2 _ca;
    private int _issued;

    private TestPki(string name)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("scaler-pki-").FullName;
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        _ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        CaPath = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CaPath, _ca.ExportCertificatePem());
    }

    /// <summary>The folder holding every file; deleted by <see cref="Dispose"/>.</summary>
    public string Directory { get; }

    /// <summary>The CA certificate (PEM): <c>tls_ca</c>.</summary>
    public string CaPath { get; }

    /// <summary>A new CA named <paramref name="name"/>.</summary>
    public static TestPki Create(string name = "scaler-test-ca") => new(name);

    /// <summary>
    /// A certificate signed by this CA, for 127.0.0.1 and localhost, usable for server and client authentication,
    /// naming <paramref name="roles"/> (client, worker, admin, monitor, server) as SAN URIs.
    /// </summary>
    public TestCertificate Issue(string commonName, params string[] roles)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        foreach (var role in roles)
        {
            names.AddUri(new Uri($"urn:scaler:role:{role}"));
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _issued) + 1000L);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), now.AddMinutes(-5), now.AddDays(1), serial);

        var stem = Path.Combine(Directory, $"{commonName}-{_issued}");
        var result = new TestCertificate(stem + ".pem", stem + ".key");
        File.WriteAllText(result.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(result.KeyPath, key.ExportPkcs8PrivateKeyPem());
        return result;
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A process under test may still hold a file open; the temporary folder is the OS's to clean then.
        }
    }
}

/// <summary>The PEM files of one certificate made by <see cref="TestPki.Issue"/>: <c>tls_cert</c> and <c>tls_key</c>.</summary>
internal sealed record TestCertificate(string CertificatePath, string KeyPath);
