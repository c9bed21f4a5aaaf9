using System.Diagnostics;
using System.IO.Hashing;

namespace Scaler.ObjectStorage.Store;

/// <summary>
/// The distinct contents of the store, deduplicated by value, with reference counts and exact byte accounting.
/// </summary>
/// <remarks>
/// Two payloads share one <see cref="StoredContent"/> only when their bytes are equal: the 64-bit hash narrows the search,
/// a byte comparison decides, so a hash collision keeps both contents. Not thread-safe.
/// </remarks>
internal sealed class ContentTable
{
    /// <summary>Head of the collision chain for each hash.</summary>
    private readonly Dictionary<ulong, StoredContent> _byHash = [];

    /// <summary>Number of distinct contents (all chains, not just heads).</summary>
    public int Count { get; private set; }

    /// <summary>Sum of the lengths of the distinct contents.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>
    /// Returns the content equal to <paramref name="bytes"/>, adding it (keeping <paramref name="bytes"/> as its buffer)
    /// if there is none, and counts one more reference to it.
    /// </summary>
    public StoredContent Acquire(ReadOnlyMemory<byte> bytes)
    {
        ulong hash = Hash(bytes.Span);
        if (_byHash.TryGetValue(hash, out StoredContent? head))
        {
            for (StoredContent? candidate = head; candidate is not null; candidate = candidate.NextWithSameHash)
            {
                if (candidate.Bytes.Span.SequenceEqual(bytes.Span))
                {
                    candidate.ReferenceCount++;
                    return candidate;
                }
            }
        }

        var content = new StoredContent(bytes, hash) { ReferenceCount = 1, NextWithSameHash = head };
        _byHash[hash] = content;
        Count++;
        TotalBytes += content.Length;
        return content;
    }

    /// <summary>The content equal to <paramref name="bytes"/>, or null (nothing changes).</summary>
    public StoredContent? Find(ReadOnlyMemory<byte> bytes)
    {
        if (!_byHash.TryGetValue(Hash(bytes.Span), out StoredContent? candidate))
        {
            return null;
        }

        while (candidate is not null && !candidate.Bytes.Span.SequenceEqual(bytes.Span))
        {
            candidate = candidate.NextWithSameHash;
        }

        return candidate;
    }

    /// <summary>Counts one more reference to a content already in the table (an ID linked to existing content).</summary>
    public static void AddReference(StoredContent content)
    {
        Debug.Assert(content.ReferenceCount > 0, "only live contents can gain references");
        content.ReferenceCount++;
    }

    /// <summary>Drops one reference; the content leaves the table when none is left.</summary>
    public void Release(StoredContent content)
    {
        Debug.Assert(content.ReferenceCount > 0, "released a content with no references");
        content.ReferenceCount--;
        if (content.ReferenceCount > 0)
        {
            return;
        }

        Unlink(content);
        Count--;
        TotalBytes -= content.Length;
    }

    /// <summary>Calls <paramref name="visit"/> for every distinct content (for invariant checks and tests).</summary>
    public void ForEach(Action<StoredContent> visit)
    {
        foreach (StoredContent head in _byHash.Values)
        {
            for (StoredContent? content = head; content is not null; content = content.NextWithSameHash)
            {
                visit(content);
            }
        }
    }

    /// <summary>The content hash; tests may substitute a weaker one to force collisions.</summary>
    internal Func<ReadOnlySpan<byte>, ulong> HashFunction { get; init; } = static bytes => XxHash3.HashToUInt64(bytes);

    private ulong Hash(ReadOnlySpan<byte> bytes) => HashFunction(bytes);

    private void Unlink(StoredContent content)
    {
        StoredContent head = _byHash[content.Hash];
        if (ReferenceEquals(head, content))
        {
            if (content.NextWithSameHash is null)
            {
                _byHash.Remove(content.Hash);
            }
            else
            {
                _byHash[content.Hash] = content.NextWithSameHash;
            }

            content.NextWithSameHash = null;
            return;
        }

        StoredContent previous = head;
        while (!ReferenceEquals(previous.NextWithSameHash, content))
        {
            previous = previous.NextWithSameHash ?? throw new InvalidOperationException("content not in its hash chain");
        }

        previous.NextWithSameHash = content.NextWithSameHash;
        content.NextWithSameHash = null;
    }
}
