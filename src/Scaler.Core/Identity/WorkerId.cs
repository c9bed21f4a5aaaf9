using System.Text;

namespace Scaler.Identity;

/// <summary>Identifies one connected worker (its transport identity). <c>default</c> means "no worker".</summary>
internal readonly struct WorkerId : IEquatable<WorkerId>
{
    private readonly IdentityBytes _bytes;

    public WorkerId(ReadOnlySpan<byte> bytes)
    {
        _bytes = new IdentityBytes(bytes);
    }

    public bool IsEmpty => _bytes.IsEmpty;

    public ReadOnlySpan<byte> Span => _bytes.Span;

    /// <summary>Builds an id from text (UTF-8); used by tests and diagnostics.</summary>
    public static WorkerId FromString(string text) => new(Encoding.UTF8.GetBytes(text));

    public static bool operator ==(WorkerId left, WorkerId right) => left.Equals(right);

    public static bool operator !=(WorkerId left, WorkerId right) => !left.Equals(right);

    public bool Equals(WorkerId other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is WorkerId other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public override string ToString() => _bytes.ToString();
}
