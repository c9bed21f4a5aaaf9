using System.Buffers.Binary;

namespace Scaler.Internal;

/// <summary>
/// The task's <c>metadata</c> bytes as the reference reads them (<c>utility/metadata/task_flags.py</c>): the Python
/// struct format <c>!?i?</c>, i.e. profiling (1 byte), priority (big-endian Int32), stream output (1 byte).
/// </summary>
internal static class TaskFlags
{
    public const int Length = 6;

    public static byte[] Encode(bool profiling, int priority, bool streamOutput)
    {
        var bytes = new byte[Length];
        bytes[0] = profiling ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1, 4), priority);
        bytes[5] = streamOutput ? (byte)1 : (byte)0;
        return bytes;
    }
}
