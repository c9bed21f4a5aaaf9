namespace Scaler.Protocol.Capnp;

/// <summary>Bit fields of a Cap'n Proto pointer word (little-endian u64).</summary>
internal static class WirePointer
{
    public const int StructKind = 0;
    public const int ListKind = 1;
    public const int FarKind = 2;
    public const int OtherKind = 3;

    public const int ElementVoid = 0;
    public const int ElementBit = 1;
    public const int ElementByte = 2;
    public const int ElementTwoBytes = 3;
    public const int ElementFourBytes = 4;
    public const int ElementEightBytes = 5;
    public const int ElementPointer = 6;
    public const int ElementComposite = 7;

    public static int Kind(ulong word) => (int)(word & 3);

    /// <summary>Signed offset in words from the end of the pointer to the start of the object.</summary>
    public static int Offset(ulong word) => unchecked((int)(uint)word) >> 2;

    public static ushort StructDataWords(ulong word) => (ushort)(word >> 32);

    public static ushort StructPointerCount(ulong word) => (ushort)(word >> 48);

    public static int ListElementSize(ulong word) => (int)((word >> 32) & 7);

    /// <summary>Element count, or word count for composite lists (29 bits).</summary>
    public static int ListCount(ulong word) => (int)(word >> 35);

    public static bool FarIsDouble(ulong word) => (word & 4) != 0;

    public static uint FarPadWord(ulong word) => (uint)(word >> 3) & 0x1FFF_FFFF;

    public static uint FarSegment(ulong word) => (uint)(word >> 32);

    /// <summary>Bits of one element of a non-composite list, by element size code.</summary>
    public static int ElementBits(int elementSize) => elementSize switch
    {
        ElementVoid => 0,
        ElementBit => 1,
        ElementByte => 8,
        ElementTwoBytes => 16,
        ElementFourBytes => 32,
        _ => 64,
    };

    public static ulong MakeStruct(int offset, ushort dataWords, ushort pointerCount) =>
        ((ulong)(uint)(offset << 2)) | ((ulong)dataWords << 32) | ((ulong)pointerCount << 48);

    public static ulong MakeList(int offset, int elementSize, int count) =>
        ((ulong)(uint)(offset << 2)) | ListKind | ((ulong)(uint)elementSize << 32) | ((ulong)(uint)count << 35);
}
