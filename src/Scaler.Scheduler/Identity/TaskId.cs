using System.Text;

namespace Scaler.Scheduler.Identity;

/// <summary>Identifies one task, as chosen by the client that submitted it.</summary>
internal readonly struct TaskId : IEquatable<TaskId>
{
    private readonly IdentityBytes _bytes;

    public TaskId(ReadOnlySpan<byte> bytes)
    {
        _bytes = new IdentityBytes(bytes);
    }

    public bool IsEmpty => _bytes.IsEmpty;

    public ReadOnlySpan<byte> Span => _bytes.Span;

    /// <summary>Builds an id from text (UTF-8); used by tests and diagnostics.</summary>
    public static TaskId FromString(string text) => new(Encoding.UTF8.GetBytes(text));

    public static bool operator ==(TaskId left, TaskId right) => left.Equals(right);

    public static bool operator !=(TaskId left, TaskId right) => !left.Equals(right);

    public bool Equals(TaskId other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is TaskId other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public override string ToString() => _bytes.ToString();
}
