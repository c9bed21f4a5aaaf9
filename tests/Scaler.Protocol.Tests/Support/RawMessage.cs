using System.Buffers.Binary;
using Scaler.Protocol.Capnp;

namespace Scaler.Protocol.Tests.Support;

/// <summary>Builds messages word by word, for malformed-input tests.</summary>
internal static class RawMessage
{
    public static ulong Struct(int offset, ushort dataWords, ushort pointers) => WirePointer.MakeStruct(offset, dataWords, pointers);

    public static ulong List(int offset, int elementSize, int count) => WirePointer.MakeList(offset, elementSize, count);

    public static ulong Far(uint segment, uint padWord, bool doubleFar = false) =>
        ((ulong)segment << 32) | ((ulong)padWord << 3) | (doubleFar ? 4ul : 0ul) | 2;

    /// <summary>A little-endian word holding the given bytes (at most 8).</summary>
    public static ulong Bytes(string ascii)
    {
        Span<byte> word = stackalloc byte[8];
        System.Text.Encoding.ASCII.GetBytes(ascii, word);
        return BinaryPrimitives.ReadUInt64LittleEndian(word);
    }

    public static byte[] Frame(params ulong[][] segments)
    {
        var header = ((4 + (4 * segments.Length)) + 7) & ~7;
        var output = new byte[header + (8 * segments.Sum(s => s.Length))];
        BinaryPrimitives.WriteUInt32LittleEndian(output, (uint)segments.Length - 1);
        var offset = header;
        for (var s = 0; s < segments.Length; s++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4 + (4 * s)), (uint)segments[s].Length);
            foreach (var word in segments[s])
            {
                BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(offset), word);
                offset += 8;
            }
        }

        return output;
    }

    /// <summary>A Message whose union tag is <paramref name="tag"/> and whose member struct follows at word 3.</summary>
    public static ulong[] Message(ushort tag, ushort dataWords, ushort pointers, params ulong[] member) =>
        [Struct(0, 1, 1), tag, Struct(0, dataWords, pointers), .. member];
}
