using System.Text;

namespace Scaler.Identity;

/// <summary>Identifies one connected client (its transport identity).</summary>
internal readonly struct ClientId : IEquatable<ClientId>
{
    private readonly IdentityBytes _bytes;

    public ClientId(ReadOnlySpan<byte> bytes)
    {
        _bytes = new IdentityBytes(bytes);
    }

    public bool IsEmpty => _bytes.IsEmpty;

    public ReadOnlySpan<byte> Span => _bytes.Span;

    /// <summary>Builds an id from text (UTF-8); used by tests and diagnostics.</summary>
    public static ClientId FromString(string text) => new(Encoding.UTF8.GetBytes(text));

    public static bool operator ==(ClientId left, ClientId right) => left.Equals(right);

    public static bool operator !=(ClientId left, ClientId right) => !left.Equals(right);

    public bool Equals(ClientId other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is ClientId other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public override string ToString() => _bytes.ToString();
}
