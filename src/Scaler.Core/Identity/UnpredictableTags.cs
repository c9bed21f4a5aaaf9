using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Scaler.Identity;

/// <summary>
/// 16-byte values drawn from the operating system's cryptographic generator, for identifiers that another client must
/// not be able to guess even from the identifiers it has seen (task IDs, from which result object IDs are derived, and
/// new object IDs). Each thread fills a buffer of 256 values at a time: one call into the generator per value showed up
/// in the CPU of a client that submits tiny tasks (decision 18), one call per 256 values does not.
/// </summary>
internal static class UnpredictableTags
{
    private const int TagBytes = 16;
    private const int BufferBytes = 256 * TagBytes;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    /// <summary>The next 128 random bits of this thread's buffer, refilled from the generator when used up.</summary>
    public static UInt128 Next()
    {
        var buffer = t_buffer;
        var next = t_next;
        if (buffer is null || next == BufferBytes)
        {
            buffer = t_buffer ??= new byte[BufferBytes];
            RandomNumberGenerator.Fill(buffer);
            next = 0;
        }

        t_next = next + TagBytes;
        return BinaryPrimitives.ReadUInt128LittleEndian(buffer.AsSpan(next, TagBytes));
    }
}
