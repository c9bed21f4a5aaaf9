using System.Buffers;
using System.Globalization;

namespace Scaler.Functions;

/// <summary>
/// Identifies one assembly a shipped function needs: its simple name, version, module version id (MVID) and the
/// SHA-256 of the assembly file. The hash is the identity a cluster stores the code under (once per cluster); the
/// name and MVID let a run side that already has that exact build use it instead of fetching.
/// </summary>
public sealed record CodeAssemblyReference
{
    private static readonly byte[] CodeObjectTag = "SCALER.NET/CODE\0"u8.ToArray();
    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    public CodeAssemblyReference(string name, string version, Guid mvid, string sha256Hex)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(sha256Hex);
        if (sha256Hex.Length != 64 || sha256Hex.AsSpan().ContainsAnyExcept(LowerHexDigits))
        {
            throw new ArgumentException("expected 64 lower-case hex digits", nameof(sha256Hex));
        }

        Name = name;
        Version = version;
        Mvid = mvid;
        Sha256Hex = sha256Hex;
    }

    /// <summary>Simple assembly name, for example <c>MyCompany.Pricing</c>.</summary>
    public string Name { get; }

    public string Version { get; }

    public Guid Mvid { get; }

    /// <summary>SHA-256 of the assembly file's bytes, 64 lower-case hex digits.</summary>
    public string Sha256Hex { get; }

    /// <summary>The same hash as 32 raw bytes.</summary>
    public byte[] Sha256() => Convert.FromHexString(Sha256Hex);

    /// <summary>
    /// The 32-byte object id the code is stored under, the same for every client of a cluster: the ASCII tag
    /// <c>SCALER.NET/CODE\0</c> (where a Scaler object id holds its owner hash) followed by the first 16 bytes of
    /// the SHA-256. Client and worker both derive it from here.
    /// </summary>
    public byte[] ObjectId()
    {
        var id = new byte[32];
        CodeObjectTag.CopyTo(id, 0);
        Convert.FromHexString(Sha256Hex.AsSpan(0, 32), id.AsSpan(16), out _, out _);
        return id;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} {Version} (sha256 {Sha256Hex[..12]}…)");
}
