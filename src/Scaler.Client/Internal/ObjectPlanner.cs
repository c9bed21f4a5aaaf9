using System.Buffers.Binary;
using System.Security.Cryptography;
using Scaler.Functions;
using Scaler.ObjectStorage.Store;

namespace Scaler.Internal;

/// <summary>
/// Decides which objects a submission must upload. Function and argument objects are deduplicated by content
/// (SHA-256): equal bytes reuse the object ID minted the first time, and are stored once per client (the reference
/// client does the same with an MD5 of the payload). The objects live until the client leaves, when the scheduler
/// deletes them. Code assemblies are content-addressed cluster-wide (<see cref="CodeAssemblyReference.ObjectId"/>) and
/// are uploaded at most once per client. Not thread-safe: the caller serializes calls.
/// </summary>
internal sealed class ObjectPlanner
{
    private readonly ObjectOwner _owner;
    private readonly Dictionary<UInt128, ObjectId> _byContent = [];
    private readonly HashSet<string> _codeUploaded = new(StringComparer.Ordinal);

    public ObjectPlanner(ObjectOwner owner) => _owner = owner;

    /// <summary>Objects uploaded so far (function and argument objects; not code, not the serializer).</summary>
    public int DistinctObjects => _byContent.Count;

    /// <summary>The object ID for <paramref name="content"/>; adds an upload to <paramref name="uploads"/> when it is new.</summary>
    public ObjectId Place(ReadOnlyMemory<byte> content, Func<ObjectId, byte[]> name, List<PendingUpload> uploads)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content.Span, hash);
        var key = new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
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

        foreach (var assembly in code)
        {
            _codeUploaded.Remove(assembly.Reference.Sha256Hex);
        }
    }
}
