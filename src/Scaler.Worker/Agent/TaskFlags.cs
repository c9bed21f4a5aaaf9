using System.Buffers.Binary;

namespace Scaler.Worker.Agent;

/// <summary>
/// The reference's task metadata: network order <c>bool profiling, int32 priority, bool stream_output</c> (6 bytes);
/// empty metadata means the defaults.
/// </summary>
internal readonly record struct TaskFlags(bool Profiling, int Priority, bool StreamOutput)
{
    public const int Length = 6;

    public static TaskFlags Default => new(true, 0, false);

    /// <summary>Reads the flags; metadata of another length, or a negative priority, falls back to priority 0.</summary>
    public static TaskFlags Read(ReadOnlySpan<byte> metadata)
    {
        if (metadata.Length != Length)
        {
            return Default;
        }

        var priority = BinaryPrimitives.ReadInt32BigEndian(metadata[1..]);
        return new TaskFlags(metadata[0] != 0, Math.Max(0, priority), metadata[5] != 0);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        bytes[0] = Profiling ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), Priority);
        bytes[5] = StreamOutput ? (byte)1 : (byte)0;
        return bytes;
    }
}
