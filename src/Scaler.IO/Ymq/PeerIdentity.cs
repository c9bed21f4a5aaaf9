using System.Text;

namespace Scaler.IO.Ymq;

/// <summary>
/// The identity a YMQ peer announces in its first frame (raw bytes, e.g. <c>Client|&lt;hex&gt;</c>). Compared by value.
/// <see cref="ToString"/> shows UTF-8 text when the bytes are printable UTF-8 and <c>0x</c>-prefixed hex otherwise.
/// </summary>
public readonly struct PeerIdentity : IEquatable<PeerIdentity>
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[]? _bytes;
    private readonly int _hash;

    /// <summary>Copies <paramref name="bytes"/>.</summary>
    public PeerIdentity(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes.ToArray();
        _hash = Hash(_bytes);
    }

    private PeerIdentity(byte[] owned)
    {
        _bytes = owned;
        _hash = Hash(owned);
    }

    public ReadOnlySpan<byte> Span => _bytes;

    public ReadOnlyMemory<byte> Memory => _bytes;

    public int Length => _bytes?.Length ?? 0;

    public bool IsEmpty => Length == 0;

    /// <summary>The identity of a peer whose identity is this UTF-8 text.</summary>
    public static PeerIdentity FromString(string identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new PeerIdentity(Encoding.UTF8.GetBytes(identity));
    }

    /// <summary>Takes ownership of <paramref name="bytes"/> (the caller must not change them afterwards).</summary>
    internal static PeerIdentity FromOwnedArray(byte[] bytes) => new(bytes);

    public static bool operator ==(PeerIdentity left, PeerIdentity right) => left.Equals(right);

    public static bool operator !=(PeerIdentity left, PeerIdentity right) => !left.Equals(right);

    public bool Equals(PeerIdentity other) => _hash == other._hash && Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is PeerIdentity other && Equals(other);

    public override int GetHashCode() => _hash;

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = default(HashCode);
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var bytes = Span;
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        try
        {
            var text = StrictUtf8.GetString(bytes);
            if (!text.Any(char.IsControl))
            {
                return text;
            }
        }
        catch (DecoderFallbackException)
        {
            // Not UTF-8: fall through to hex.
        }

        return "0x" + Convert.ToHexString(bytes);
    }
}
