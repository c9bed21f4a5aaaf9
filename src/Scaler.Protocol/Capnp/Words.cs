using System.Text;

namespace Scaler.Protocol.Capnp;

/// <summary>Sizes in 8-byte words, used to measure a message exactly before it is written.</summary>
internal static class Words
{
    /// <summary>The largest single segment this writer produces (the u32 size field, and int spans).</summary>
    public const long MaxSegmentWords = (int.MaxValue - 16) / 8;

    public static int ForBytes(long bytes) => (int)((bytes + 7) / 8);

    public static long OfData(ReadOnlySpan<byte> bytes) => (bytes.Length + 7L) / 8;

    public static long OfText(string text) => (Encoding.UTF8.GetByteCount(text) + 8L) / 8;

    public static long OfUInt16List(int count) => ((2L * count) + 7) / 8;
}
