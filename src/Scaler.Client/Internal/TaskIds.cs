using System.Buffers.Binary;
using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>
/// Mints 16-byte task and graph IDs from <see cref="ObjectId.NewUniqueTag"/>: random and unpredictable (a task's result
/// object ID is derived from its task ID, so a guessable one would let another client forge or read the result), drawn
/// from a per-thread buffer rather than one trip through the system's random generator each (which showed up in the CPU
/// of a client that submits tiny tasks; decision 18).
/// </summary>
internal static class TaskIds
{
    public static byte[] New()
    {
        var id = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(id, ObjectId.NewUniqueTag());
        return id;
    }
}
