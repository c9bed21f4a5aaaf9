using System.Buffers.Binary;

namespace Scaler.ObjectStorage.Wire;

/// <summary>
/// What the store holds: the number of object IDs, the number of distinct contents, and the total size in bytes of the
/// distinct contents (shared content counts once). This is the payload of an <c>infoGetTotal</c> answer.
/// </summary>
public readonly record struct ObjectStorageTotals(ulong ObjectIdCount, ulong ContentCount, ulong ContentBytes)
{
    /// <summary>Size of the wire form: three little-endian unsigned 64-bit integers.</summary>
    public const int ByteLength = 24;

    public static ObjectStorageTotals FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"Object storage totals are {ByteLength} bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new ObjectStorageTotals(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]));
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ObjectIdCount);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), ContentCount);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), ContentBytes);
        return bytes;
    }
}
