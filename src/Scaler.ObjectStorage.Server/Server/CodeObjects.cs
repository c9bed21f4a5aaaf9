using System.Security.Cryptography;
using Scaler.Identity;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// The code assemblies Scaler.NET clients ship: stored once per cluster under a shared prefix rather than an owner's,
/// with the ID derived from the content (Scaler.Functions' <c>CodeAssemblyReference.ObjectId</c>: the ASCII
/// <c>SCALER.NET/CODE\0</c>, then the first 16 bytes of the file's SHA-256). Object storage recognizes them so that
/// any client may store one (two clients of the same build store the same bytes) while none can replace another
/// client's code with something else: the content must hash to the ID.
/// </summary>
internal static class CodeObjects
{
    /// <summary>The shared prefix, <c>SCALER.NET/CODE\0</c>, read as an owner.</summary>
    public static ObjectOwner Prefix { get; } = new(0x5343414C45522E4E, 0x45542F434F444500);

    /// <summary>True when <paramref name="id"/> is under the code prefix.</summary>
    public static bool IsCode(ObjectId id) => id.IsOwnedBy(Prefix);

    /// <summary>True when the first 16 bytes of the SHA-256 of <paramref name="content"/> are the tag of <paramref name="id"/>.</summary>
    public static bool ContentMatches(ObjectId id, ReadOnlySpan<byte> content)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, digest);
        Span<byte> expected = stackalloc byte[ObjectId.ByteLength];
        id.WriteTo(expected);
        return digest[..16].SequenceEqual(expected[16..]);
    }
}
