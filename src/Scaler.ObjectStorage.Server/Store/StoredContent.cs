namespace Scaler.ObjectStorage.Store;

/// <summary>
/// One distinct object content, shared by every object ID whose bytes are equal to it.
/// </summary>
/// <remarks>
/// <see cref="Bytes"/> is the buffer the payload arrived in (never copied): responses slice it, so it must never be
/// written to once stored. Contents whose hashes collide form a singly linked chain through <see cref="NextWithSameHash"/>.
/// </remarks>
internal sealed class StoredContent
{
    public StoredContent(ReadOnlyMemory<byte> bytes, ulong hash)
    {
        Bytes = bytes;
        Hash = hash;
    }

    /// <summary>The content; shared, read-only.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Hash of <see cref="Bytes"/>, the key of the content table.</summary>
    public ulong Hash { get; }

    /// <summary>How many object IDs point at this content. Zero means it has been removed from the table.</summary>
    public int ReferenceCount { get; set; }

    /// <summary>The next content with the same <see cref="Hash"/> but different bytes (a hash collision), or null.</summary>
    public StoredContent? NextWithSameHash { get; set; }

    public long Length => Bytes.Length;
}
