using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Scaler.Identity;

/// <summary>
/// Identifies one task, as chosen by the client that submitted it: the ID's bytes with their hash computed once, so it
/// hashes in O(1) and compares with a vectorised span comparison as a dictionary key. The scheduler, the worker and
/// the client all key their tables by it.
/// </summary>
/// <remarks>
/// An ID of up to <see cref="InlineCapacity"/> bytes (every ID this project's and the reference's clients make: 16
/// random bytes) is kept inside the struct, so building one from a received message's span allocates nothing; a
/// worker looks up its running tasks per message and a string or array per lookup was pure garbage. Longer IDs (any
/// peer may send any length) are copied to an array. The bytes are always copied in: the caller may reuse its buffer.
/// </remarks>
internal readonly struct TaskId : IEquatable<TaskId>
{
    /// <summary>The longest ID kept inside the struct.</summary>
    public const int InlineCapacity = 16;

    private readonly InlineBytes _inline;
    private readonly byte[]? _heap;
    private readonly int _length;
    private readonly int _hash;

    public TaskId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= InlineCapacity)
        {
            bytes.CopyTo(_inline);
        }
        else
        {
            _heap = bytes.ToArray();
        }

        _length = bytes.Length;
        if (!bytes.IsEmpty)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            _hash = hash.ToHashCode();
        }
    }

    /// <summary>An empty id is the "no such id" value; <c>default</c> is one.</summary>
    public bool IsEmpty => _length == 0;

    /// <summary>The number of bytes in the ID.</summary>
    public int Length => _length;

    /// <summary>
    /// The ID's bytes. For an inline ID the span points into this struct, so it lives no longer than the variable it
    /// was read from (the compiler enforces this).
    /// </summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> Span => _heap ?? ((ReadOnlySpan<byte>)_inline)[.._length];

    /// <summary>Builds an id from text (UTF-8); used by tests and diagnostics.</summary>
    public static TaskId FromString(string text) => new(Encoding.UTF8.GetBytes(text));

    public static bool operator ==(TaskId left, TaskId right) => left.Equals(right);

    public static bool operator !=(TaskId left, TaskId right) => !left.Equals(right);

    public bool Equals(TaskId other) => _hash == other._hash && _length == other._length && Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is TaskId other && Equals(other);

    public override int GetHashCode() => _hash;

    /// <summary>Printable ids show as text, anything else as uppercase hex (as <see cref="IdentityBytes"/>).</summary>
    public override string ToString() => IdentityBytes.Format(Span);

    /// <summary>The bytes as lowercase hex, the form the worker's and processors' log lines print.</summary>
    public string ToHexString() => Convert.ToHexStringLower(Span);

    [InlineArray(InlineCapacity)]
    private struct InlineBytes
    {
        private byte _first;
    }
}
