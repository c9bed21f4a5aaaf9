using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Scaler.Functions;
using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>
/// Decides which objects a submission must upload. Function and argument objects are deduplicated by content: equal
/// bytes reuse the object ID minted the first time, and are stored once per client (the reference client does the
/// same with an MD5 of the payload). Objects of up to <see cref="ContentKeyLimit"/> bytes (a number, a short string)
/// are their own key, which is shorter than a digest and cheaper than computing one; larger ones are keyed by their
/// SHA-256, and the function object, which is the same array for every call of a function, is hashed once. The objects live until the client leaves, when the scheduler
/// deletes them. Code assemblies are content-addressed cluster-wide (<see cref="CodeAssemblyReference.ObjectId"/>) and
/// are uploaded at most once per client. Not thread-safe: the caller serializes calls.
/// </summary>
internal sealed class ObjectPlanner
{
    private readonly ObjectOwner _owner;
    /// <summary>Objects up to this size are keyed by their bytes rather than by a digest of them.</summary>
    public const int ContentKeyLimit = 64;

    private readonly Dictionary<UInt128, ObjectId> _byContent = [];
    private readonly Dictionary<byte[], ObjectId> _bySmallContent = new(ByteContentComparer.Instance);
    private readonly Dictionary<byte[], ObjectId>.AlternateLookup<ReadOnlySpan<byte>> _smallLookup;
    private readonly HashSet<string> _codeUploaded = new(StringComparer.Ordinal);
    private ArraySegment<byte> _lastHashed;
    private UInt128 _lastDigest;

    public ObjectPlanner(ObjectOwner owner)
    {
        _owner = owner;
        _smallLookup = _bySmallContent.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Objects uploaded so far (function and argument objects; not code, not the serializer).</summary>
    public int DistinctObjects => _byContent.Count + _bySmallContent.Count;

    /// <summary>The object ID for <paramref name="content"/>; adds an upload to <paramref name="uploads"/> when it is new.</summary>
    public ObjectId Place(ReadOnlyMemory<byte> content, Func<ObjectId, byte[]> name, List<PendingUpload> uploads) =>
        Place(content, name, uploads, immutableArray: false);

    /// <summary>
    /// <see cref="Place(ReadOnlyMemory{byte}, Func{ObjectId, byte[]}, List{PendingUpload})"/> for a function object,
    /// whose array never changes: the digest of the last one placed is reused when the same array comes again.
    /// </summary>
    public ObjectId PlaceFunction(ReadOnlyMemory<byte> functionObject, Func<ObjectId, byte[]> name, List<PendingUpload> uploads) =>
        Place(functionObject, name, uploads, immutableArray: true);

    private ObjectId Place(ReadOnlyMemory<byte> content, Func<ObjectId, byte[]> name, List<PendingUpload> uploads, bool immutableArray)
    {
        if (content.Length <= ContentKeyLimit)
        {
            if (_smallLookup.TryGetValue(content.Span, out var known))
            {
                return known;
            }

            var small = ObjectId.NewUnique(_owner);
            _bySmallContent.Add(content.ToArray(), small);
            uploads.Add(new PendingUpload(small, content, name(small)));
            return small;
        }

        var key = Digest(content, immutableArray);
        if (_byContent.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var id = ObjectId.NewUnique(_owner);
        _byContent.Add(key, id);
        uploads.Add(new PendingUpload(id, content, name(id)));
        return id;
    }

    /// <summary>Adds to <paramref name="code"/> the assemblies this client has not uploaded yet.</summary>
    public void PlaceCode(IReadOnlyList<CodeAssembly> assemblies, List<CodeAssembly> code)
    {
        foreach (var assembly in assemblies)
        {
            if (_codeUploaded.Add(assembly.Reference.Sha256Hex))
            {
                code.Add(assembly);
            }
        }
    }

    /// <summary>Forgets uploads that failed, so a later submission tries them again.</summary>
    public void Forget(IEnumerable<PendingUpload> uploads, IEnumerable<CodeAssembly> code)
    {
        var failed = uploads.Select(u => u.Id).ToHashSet();
        foreach (var entry in _byContent.Where(e => failed.Contains(e.Value)).ToList())
        {
            _byContent.Remove(entry.Key);
        }

        foreach (var entry in _bySmallContent.Where(e => failed.Contains(e.Value)).ToList())
        {
            _bySmallContent.Remove(entry.Key);
        }

        foreach (var assembly in code)
        {
            _codeUploaded.Remove(assembly.Reference.Sha256Hex);
        }
    }

    /// <summary>
    /// The SHA-256 of <paramref name="content"/>, first 16 bytes. With <paramref name="immutableArray"/>, the last such
    /// array hashed is remembered: callers pass the same function object for every call of a function.
    /// </summary>
    private UInt128 Digest(ReadOnlyMemory<byte> content, bool immutableArray)
    {
        if (!immutableArray)
        {
            return Sha256Prefix(content.Span);
        }

        if (MemoryMarshal.TryGetArray(content, out var segment)
            && segment.Array is not null
            && ReferenceEquals(segment.Array, _lastHashed.Array)
            && segment.Offset == _lastHashed.Offset
            && segment.Count == _lastHashed.Count)
        {
            return _lastDigest;
        }

        var key = Sha256Prefix(content.Span);
        _lastHashed = segment;
        _lastDigest = key;
        return key;
    }

    private static UInt128 Sha256Prefix(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, hash);
        return new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
    }
}
