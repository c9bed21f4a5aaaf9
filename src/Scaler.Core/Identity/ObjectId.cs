using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Scaler.Identity;

/// <summary>
/// A 32-byte object identifier as the object-storage protocol carries it: four unsigned 64-bit fields.
/// </summary>
/// <remarks>
/// The scheduler protocol carries the same identifier as 32 raw bytes; field <c>i</c> is the big-endian reading of bytes
/// <c>[8i, 8i + 8)</c>. The first 16 bytes (<see cref="Field0"/>, <see cref="Field1"/>) name the owner (see
/// <see cref="ObjectOwner"/>); the last 16 bytes are the object's own tag.
/// </remarks>
public readonly record struct ObjectId(ulong Field0, ulong Field1, ulong Field2, ulong Field3)
{
    /// <summary>Length of the identifier in its byte form.</summary>
    public const int ByteLength = 32;

    /// <summary>The owner part: the first 16 bytes.</summary>
    public ObjectOwner Owner => new(Field0, Field1);

    /// <summary>The object's own tag: the last 16 bytes, as (<see cref="Field2"/>, <see cref="Field3"/>).</summary>
    public UInt128 Tag => new(Field2, Field3);

    /// <summary>Builds an identifier from an owner and a 16-byte tag.</summary>
    public static ObjectId Create(ObjectOwner owner, UInt128 tag) =>
        new(owner.High, owner.Low, (ulong)(tag >> 64), (ulong)tag);

    /// <summary>The serializer tag: MD5 of "serializer", as the reference derives it.</summary>
    private static readonly UInt128 SerializerTag = ComputeSerializerTag();

    /// <summary>The mask of <see cref="ForTaskResult"/>: the ASCII of "scaler.net:resul".</summary>
    private static readonly UInt128 ResultTagMask = new(0x7363616C65722E6E, 0x65743A726573756C);

    /// <summary>The mask of <see cref="ForTaskError"/>: the ASCII of "scaler.net:error".</summary>
    private static readonly UInt128 ErrorTagMask = new(0x7363616C65722E6E, 0x65743A6572726F72);

    /// <summary>
    /// A new identifier for <paramref name="owner"/> with a random 16-byte tag from the system's cryptographic
    /// generator, so another client cannot guess it even knowing every identifier this process made before
    /// (docs/security.md). Drawn from a per-thread buffer (<see cref="UnpredictableTags"/>): a trip through the
    /// generator for every object showed up in the CPU of a client that submits tiny tasks (decision 18).
    /// </summary>
    public static ObjectId NewUnique(ObjectOwner owner) => Create(owner, NewUniqueTag());

    /// <summary>
    /// A random, unpredictable 16-byte value (as the tag of <see cref="NewUnique"/>), for other identifiers that need
    /// one, such as task IDs: a result's identifier is derived from its task's ID, so a guessable task ID would let
    /// another client write or read that result.
    /// </summary>
    public static UInt128 NewUniqueTag() => UnpredictableTags.Next();

    /// <summary>
    /// The identifier under which the result of task <paramref name="taskId"/> is stored for <paramref name="owner"/>
    /// (the task's client) when the task succeeded: for a 16-byte task ID, the tag is the task ID XOR a fixed mask, so
    /// the client knows where the result will be before it exists and can ask object storage for it while the task runs
    /// (a get of a missing object waits). Because only a success is stored there, an object found under this
    /// identifier is itself the news that the task succeeded (decision 20). Other task ID lengths get a unique tag, as
    /// the reference's workers give every result.
    /// </summary>
    /// <remarks>
    /// A task that runs again (its worker died) stores its result under the same identifier, replacing the first. The
    /// tags of <see cref="NewUnique"/> meet these only as two random 128-bit values meet.
    /// </remarks>
    public static ObjectId ForTaskResult(ObjectOwner owner, ReadOnlySpan<byte> taskId) => Derived(owner, taskId, ResultTagMask);

    /// <summary>Where the error of a failed task <paramref name="taskId"/> is stored: as <see cref="ForTaskResult"/>, another mask.</summary>
    public static ObjectId ForTaskError(ObjectOwner owner, ReadOnlySpan<byte> taskId) => Derived(owner, taskId, ErrorTagMask);

    /// <summary><see cref="ForTaskResult"/> when <paramref name="succeeded"/>, else <see cref="ForTaskError"/>.</summary>
    public static ObjectId ForTaskOutcome(ObjectOwner owner, ReadOnlySpan<byte> taskId, bool succeeded) =>
        Derived(owner, taskId, succeeded ? ResultTagMask : ErrorTagMask);

    /// <summary>The identifier under which <paramref name="owner"/> stores its serializer (tag = MD5 of "serializer").</summary>
    public static ObjectId ForSerializer(ObjectOwner owner) => Create(owner, SerializerTag);

    private static ObjectId Derived(ObjectOwner owner, ReadOnlySpan<byte> taskId, UInt128 mask) =>
        taskId.Length == 16 ? Create(owner, BinaryPrimitives.ReadUInt128BigEndian(taskId) ^ mask) : NewUnique(owner);

    private static UInt128 ComputeSerializerTag()
    {
        Span<byte> tag = stackalloc byte[16];
#pragma warning disable CA5351 // MD5 is not used for security: the reference derives the serializer tag with it.
        MD5.HashData("serializer"u8, tag);
#pragma warning restore CA5351
        return new UInt128(BinaryPrimitives.ReadUInt64BigEndian(tag), BinaryPrimitives.ReadUInt64BigEndian(tag[8..]));
    }

    /// <summary>Reads the 32-byte form. Throws <see cref="ArgumentException"/> if the span is not exactly 32 bytes.</summary>
    public static ObjectId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException(
                $"An object ID is {ByteLength} bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new ObjectId(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>Writes the 32-byte form into <paramref name="destination"/> (which must hold at least 32 bytes).</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException(
                $"An object ID needs {ByteLength} bytes, the destination has {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, Field0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Field1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], Field2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], Field3);
    }

    /// <summary>The 32-byte form as a new array.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>True when the first 16 bytes equal <paramref name="owner"/>.</summary>
    public bool IsOwnedBy(ObjectOwner owner) => Field0 == owner.High && Field1 == owner.Low;

    /// <summary>The 32 bytes as 64 lowercase hexadecimal digits, in wire order.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
