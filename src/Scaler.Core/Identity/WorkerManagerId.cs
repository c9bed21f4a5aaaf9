using System.Text;

namespace Scaler.Identity;

/// <summary>Identifies one worker manager (the id it puts in its heartbeat).</summary>
internal readonly struct WorkerManagerId : IEquatable<WorkerManagerId>
{
    private readonly IdentityBytes _bytes;

    public WorkerManagerId(ReadOnlySpan<byte> bytes)
    {
        _bytes = new IdentityBytes(bytes);
    }

    public bool IsEmpty => _bytes.IsEmpty;

    public ReadOnlySpan<byte> Span => _bytes.Span;

    /// <summary>Builds an id from text (UTF-8); used by tests and diagnostics.</summary>
    public static WorkerManagerId FromString(string text) => new(Encoding.UTF8.GetBytes(text));

    public static bool operator ==(WorkerManagerId left, WorkerManagerId right) => left.Equals(right);

    public static bool operator !=(WorkerManagerId left, WorkerManagerId right) => !left.Equals(right);

    public bool Equals(WorkerManagerId other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is WorkerManagerId other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public override string ToString() => _bytes.ToString();
}
