using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scaler.IO.Tls;

/// <summary>
/// Who a peer proved to be with its certificate, on a binder that requires one (<see cref="Ymq.YmqOptions.TlsCaPath"/>
/// set on a <c>tls://</c> binder): its roles, its subject (for log lines) and the SHA-256 of its certificate (to tell
/// two holders of different certificates apart).
/// </summary>
/// <param name="Roles">the roles its certificate names (<see cref="ScalerRoleUris"/>)</param>
/// <param name="Subject">the certificate's subject, e.g. <c>CN=alice</c></param>
/// <param name="CertificateHash">SHA-256 of the certificate's DER bytes, lower-case hex</param>
public sealed record PeerCredentials(ScalerRoles Roles, string Subject, string CertificateHash)
{
    /// <summary>True when the certificate names at least one of <paramref name="roles"/>.</summary>
    public bool HasAny(ScalerRoles roles) => (Roles & roles) != 0;

    /// <summary>The credentials of a certificate that was already verified.</summary>
    public static PeerCredentials Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new PeerCredentials(
            ScalerRoleUris.Read(certificate),
            certificate.Subject,
            Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)));
    }

    public override string ToString() => $"{Subject} ({ScalerRoleUris.Describe(Roles)})";
}
