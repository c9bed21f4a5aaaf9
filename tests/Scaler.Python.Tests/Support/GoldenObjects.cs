using System.Buffers.Binary;

namespace Scaler.Python.Tests.Support;

/// <summary>
/// Objects the reference Python client and worker put on the wire (shared/golden): the client's serializer object, the
/// cloudpickled functions <c>square</c> and <c>boom</c> (raises ValueError(msg)), the argument 7, and the reference
/// worker's failure object for <c>boom("golden-error")</c> (a tblib-pickled ValueError).
/// </summary>
internal static class GoldenObjects
{
    private static readonly Dictionary<long, byte[]> ClientToStorage = Frames("client-to-object-storage.bin");
    private static readonly Dictionary<long, byte[]> StorageToClient = Frames("object-storage-to-client.bin");

    public static byte[] Serializer => ClientToStorage[139];

    public static byte[] Square => ClientToStorage[307];

    public static byte[] Seven => ClientToStorage[884];

    public static byte[] Boom => ClientToStorage[1992];

    public static byte[] GoldenErrorText => ClientToStorage[2606];

    public static byte[] BoomFailure => StorageToClient[1579];

    /// <summary>The frames of a YMQ capture by their offset (u64 little-endian length, then the payload).</summary>
    private static Dictionary<long, byte[]> Frames(string file)
    {
        var data = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", file));
        var frames = new Dictionary<long, byte[]>();
        var at = 4;
        while (at < data.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at));
            frames[at] = data.AsSpan(at + 8, length).ToArray();
            at += 8 + length;
        }

        return frames;
    }
}
