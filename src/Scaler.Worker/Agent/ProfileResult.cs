using System.Buffers.Binary;

namespace Scaler.Worker.Agent;

/// <summary>
/// The reference's TaskResult metadata: network order <c>float32 duration seconds, uint64 memory peak bytes,
/// float32 CPU seconds</c> (16 bytes).
/// </summary>
public readonly record struct ProfileResult(float DurationSeconds, ulong MemoryPeakBytes, float CpuSeconds)
{
    public const int Length = 16;

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteSingleBigEndian(bytes, DurationSeconds);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(4), MemoryPeakBytes);
        BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(12), CpuSeconds);
        return bytes;
    }

    public static bool TryRead(ReadOnlySpan<byte> bytes, out ProfileResult result)
    {
        if (bytes.Length != Length)
        {
            result = default;
            return false;
        }

        result = new ProfileResult(
            BinaryPrimitives.ReadSingleBigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[4..]),
            BinaryPrimitives.ReadSingleBigEndian(bytes[12..]));
        return true;
    }
}
