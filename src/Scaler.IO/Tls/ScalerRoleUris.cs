using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Scaler.IO.Tls;

/// <summary>
/// Reads and writes the roles of a certificate: one subject-alternative-name URI <c>urn:scaler:role:NAME</c> per role
/// (NAME is client, worker, admin, monitor or server, lower case). A SAN URI is chosen over extended key usage OIDs
/// because any CA tool writes one (<c>subjectAltName = URI:urn:scaler:role:client</c> for openssl) and a person can
/// read it in <c>openssl x509 -text</c>. URIs with another prefix, or an unknown role name, are ignored.
/// </summary>
public static class ScalerRoleUris
{
    /// <summary>What every role URI starts with.</summary>
    public const string Prefix = "urn:scaler:role:";

    private static readonly (ScalerRoles Role, string Name)[] Names =
    [
        (ScalerRoles.Client, "client"),
        (ScalerRoles.Worker, "worker"),
        (ScalerRoles.Admin, "admin"),
        (ScalerRoles.Monitor, "monitor"),
        (ScalerRoles.Server, "server"),
    ];

    /// <summary>The URIs of every role in <paramref name="roles"/>, e.g. <c>urn:scaler:role:client</c>.</summary>
    public static IReadOnlyList<string> For(ScalerRoles roles) =>
        Names.Where(entry => roles.HasFlag(entry.Role)).Select(entry => Prefix + entry.Name).ToArray();

    /// <summary>The roles named by <paramref name="certificate"/>'s subject-alternative-name URIs.</summary>
    public static ScalerRoles Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var roles = ScalerRoles.None;
        foreach (var extension in certificate.Extensions)
        {
            if (extension is not X509SubjectAlternativeNameExtension names)
            {
                continue;
            }

            foreach (var uri in UrisOf(names))
            {
                roles |= Parse(uri);
            }
        }

        return roles;
    }

    /// <summary>The role of one URI, or <see cref="ScalerRoles.None"/> when it names none.</summary>
    public static ScalerRoles Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return ScalerRoles.None;
        }

        var name = uri[Prefix.Length..];
        foreach (var entry in Names)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Role;
            }
        }

        return ScalerRoles.None;
    }

    /// <summary>Roles as the names the URIs use: <c>client+admin</c>, or <c>none</c>.</summary>
    public static string Describe(ScalerRoles roles)
    {
        var names = Names.Where(entry => roles.HasFlag(entry.Role)).Select(entry => entry.Name).ToArray();
        return names.Length == 0 ? "none" : string.Join('+', names);
    }

    /// <summary>
    /// The URIs of a SAN extension. .NET decodes DNS names and IP addresses for us but not URIs, so the general names
    /// are read with the ASN.1 reader: a URI is the context-specific primitive tag 6 (RFC 5280, GeneralName).
    /// </summary>
    private static List<string> UrisOf(X509SubjectAlternativeNameExtension names)
    {
        var uris = new List<string>();
        try
        {
            var reader = new AsnReader(names.RawData, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag.HasSameClassAndValue(uriTag))
                {
                    uris.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
                }
                else
                {
                    sequence.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed SAN names no role; the certificate is then refused wherever a role is required.
        }

        return uris;
    }
}
