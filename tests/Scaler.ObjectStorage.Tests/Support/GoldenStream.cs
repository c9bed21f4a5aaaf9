using System.Buffers.Binary;

namespace Scaler.ObjectStorage.Tests.Support;

/// <summary>One direction of a captured YMQ connection: magic, identity frame, then frames.</summary>
internal sealed class GoldenStream
{
    private GoldenStream(byte[] raw, byte[] identity, List<byte[]> frames)
    {
        Raw = raw;
        Identity = identity;
        Frames = frames;
    }

    /// <summary>The file as captured, magic included.</summary>
    public byte[] Raw { get; }

    public byte[] Identity { get; }

    /// <summary>Every frame after the identity.</summary>
    public IReadOnlyList<byte[]> Frames { get; }

    public static GoldenStream Load(string name)
    {
        byte[] raw = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", name));
        Assert.Equal("YMQ\u0001"u8.ToArray(), raw[..4]);
        var frames = new List<byte[]>();
        int at = 4;
        while (at < raw.Length)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(at)));
            frames.Add(raw.AsSpan(at + 8, length).ToArray());
            at += 8 + length;
        }

        Assert.Equal(raw.Length, at);
        return new GoldenStream(raw, frames[0], frames.GetRange(1, frames.Count - 1));
    }
}
