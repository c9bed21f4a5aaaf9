using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Scaler.Identity;

/// <summary>
/// The owner prefix of an <see cref="ObjectId"/>: its first 16 bytes, the MD5 digest of the owning client's identity.
/// </summary>
/// <remarks>
/// The scheduler uses the prefix to find the objects of a client (for example to delete them when the client leaves),
/// so every object a client creates must carry the digest of that client's identity bytes.
/// </remarks>
public readonly record struct ObjectOwner(ulong High, ulong Low)
{
    // Every task of a client asks for the same owner (workers, processors and the scheduler derive it per task), so
    // the last answer is kept per thread: a byte comparison instead of an MD5 through the crypto library.
    [ThreadStatic]
    private static byte[]? t_lastIdentity;

    [ThreadStatic]
    private static ObjectOwner t_lastOwner;

    /// <summary>The prefix for a client identity such as <c>Client|&lt;hex&gt;</c>.</summary>
    public static ObjectOwner FromClientIdentity(ReadOnlySpan<byte> clientIdentity)
    {
        if (t_lastIdentity is { } last && clientIdentity.SequenceEqual(last))
        {
            return t_lastOwner;
        }

        Span<byte> digest = stackalloc byte[16];
#pragma warning disable CA5351 // MD5 is not used for security: the reference derives the owner prefix with it, and we must match.
        MD5.HashData(clientIdentity, digest);
#pragma warning restore CA5351
        var owner = new ObjectOwner(
            BinaryPrimitives.ReadUInt64BigEndian(digest),
            BinaryPrimitives.ReadUInt64BigEndian(digest[8..]));
        t_lastIdentity = clientIdentity.ToArray();
        t_lastOwner = owner;
        return owner;
    }

    /// <summary>The 16 bytes as 32 lowercase hexadecimal digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
        return Convert.ToHexStringLower(bytes);
    }
}
