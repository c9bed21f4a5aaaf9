using System.Globalization;

namespace Scaler.Functions;

/// <summary>
/// Identifies one assembly a shipped function needs: its simple name, version, module version id (MVID) and the
/// SHA-256 of the assembly file. The hash is the identity a cluster stores the code under (once per cluster); the
/// name and MVID let a run side that already has that exact build use it instead of fetching.
/// </summary>
public sealed record CodeAssemblyReference
{
    public CodeAssemblyReference(string name, string version, Guid mvid, string sha256Hex)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(sha256Hex);
        if (sha256Hex.Length != 64 || !sha256Hex.All(char.IsAsciiHexDigitLower))
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

    /// <summary>The same hash as 32 raw bytes (for example to derive an object id from it).</summary>
    public byte[] Sha256() => Convert.FromHexString(Sha256Hex);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} {Version} (sha256 {Sha256Hex[..12]}…)");
}
