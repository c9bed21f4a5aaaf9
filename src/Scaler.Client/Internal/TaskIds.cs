using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Scaler.Internal;

/// <summary>
/// Mints 16-byte task and graph IDs: 8 random bytes drawn once per process, then a per-process counter that starts at
/// a random value. IDs of different processes differ as random ones would, and minting one costs no trip through the
/// system's random generator (which showed up as a few percent of a client's CPU when it submits tiny tasks).
/// </summary>
internal static class TaskIds
{
    private static readonly ulong ProcessPrefix = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));

    private static long s_counter = BinaryPrimitives.ReadInt64LittleEndian(RandomNumberGenerator.GetBytes(8));

    public static byte[] New()
    {
        var id = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(id, ProcessPrefix);
        BinaryPrimitives.WriteInt64LittleEndian(id.AsSpan(8), Interlocked.Increment(ref s_counter));
        return id;
    }
}
