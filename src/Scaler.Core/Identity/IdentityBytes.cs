using System.Text;

namespace Scaler.Identity;

/// <summary>
/// The bytes of an identifier with its hash computed once, so that ids used as dictionary keys on the hot path hash
/// in O(1) and compare with a vectorised span comparison. The bytes are copied in: the caller may reuse its buffer.
/// </summary>
internal readonly struct IdentityBytes : IEquatable<IdentityBytes>
{
    private readonly byte[]? _bytes;
    private readonly int _hash;

    public IdentityBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            // Same as default: one "no id" value, whichever way it was made.
            return;
        }

        _bytes = bytes.ToArray();
        var hash = new HashCode();
        hash.AddBytes(bytes);
        _hash = hash.ToHashCode();
    }

    /// <summary>An empty id is the "no such id" value, like the reference's invalid worker id.</summary>
    public bool IsEmpty => _bytes is null || _bytes.Length == 0;

    public ReadOnlySpan<byte> Span => _bytes;

    public bool Equals(IdentityBytes other) => _hash == other._hash && Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is IdentityBytes other && Equals(other);

    public override int GetHashCode() => _hash;

    /// <summary>Printable ids (the reference's are mostly ASCII) show as text; anything else as hex.</summary>
    public override string ToString() => Format(Span);

    /// <summary>The text form of an id's bytes: ASCII when every byte is printable, else uppercase hex.</summary>
    public static string Format(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (b < 0x20 || b > 0x7e)
            {
                return Convert.ToHexString(span);
            }
        }

        return Encoding.ASCII.GetString(span);
    }
}
