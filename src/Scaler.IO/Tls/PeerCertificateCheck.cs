using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scaler.IO.Tls;

/// <summary>
/// Verifies the certificate of one peer during one TLS handshake, against the CA file only (never the system store):
/// the chain must end at one of <c>trustedCas</c>, allow the peer's use (client or server authentication, when the
/// certificate restricts its uses), name the dialled host when asked, and hold one of the accepted roles. One instance
/// per handshake, so the reason of a refusal can be logged by whoever ran the handshake.
/// </summary>
internal sealed class PeerCertificateCheck
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection _trustedCas;
    private readonly ScalerRoles _acceptedRoles;
    private readonly bool _peerIsClient;
    private readonly bool _checkName;

    /// <param name="trustedCas">the CA file's certificates</param>
    /// <param name="acceptedRoles">the peer must hold one of them; <see cref="ScalerRoles.None"/> accepts any certificate</param>
    /// <param name="peerIsClient">true on a binder (the peer is the TLS client), false on a connector</param>
    /// <param name="checkName">on a connector: the certificate must name the host dialled</param>
    public PeerCertificateCheck(X509Certificate2Collection trustedCas, ScalerRoles acceptedRoles, bool peerIsClient, bool checkName)
    {
        _trustedCas = trustedCas;
        _acceptedRoles = acceptedRoles;
        _peerIsClient = peerIsClient;
        _checkName = checkName;
    }

    /// <summary>Why the certificate was refused, once <see cref="Validate"/> returned false.</summary>
    public string? RefusalReason { get; private set; }

    /// <summary>Who the peer is, once <see cref="Validate"/> returned true.</summary>
    public PeerCredentials? Credentials { get; private set; }

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return Refuse(_peerIsClient
                ? "the peer presented no certificate; this port requires one signed by its CA (tls_ca)"
                : "the server presented no certificate");
        }

        if (!_peerIsClient && _checkName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return Refuse($"the server's certificate ({certificate.Subject}) does not name the host dialled");
        }

        using var leaf = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trustedCas);

        // Intermediates may come from the CA file or from what the peer sent with its certificate.
        chain.ChainPolicy.ExtraStore.AddRange(_trustedCas);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        chain.ChainPolicy.ApplicationPolicy.Add(_peerIsClient ? ClientAuthentication : ServerAuthentication);
        if (!chain.Build(leaf))
        {
            var problems = string.Join(", ", chain.ChainStatus.Select(status => status.Status.ToString()).Distinct());
            return Refuse($"the certificate {leaf.Subject} is not accepted by the CA file (tls_ca): {problems}");
        }

        var credentials = PeerCredentials.Of(leaf);
        if (_acceptedRoles != ScalerRoles.None && !credentials.HasAny(_acceptedRoles))
        {
            return Refuse(
                $"the certificate {leaf.Subject} holds role {ScalerRoleUris.Describe(credentials.Roles)}, "
                + $"this port accepts {ScalerRoleUris.Describe(_acceptedRoles)} (SAN URI {ScalerRoleUris.Prefix}NAME)");
        }

        Credentials = credentials;
        return true;
    }

    private bool Refuse(string reason)
    {
        RefusalReason = reason;
        return false;
    }
}
