using System.Buffers.Binary;
using System.Text;

namespace Scaler.Protocol.Capnp;

/// <summary>
/// Writes one message into a single pre-sized, zeroed segment. Objects are laid out in the order they are allocated
/// (a bump allocator), pointers are relative to the pointer's own word. Positions are word indexes in the segment.
/// </summary>
internal ref struct SegmentWriter
{
    private readonly Span<byte> _segment;
    private int _next;

    public SegmentWriter(Span<byte> segment)
    {
        _segment = segment;
        _next = 0;
    }

    public readonly int UsedWords => _next;

    public int Allocate(int words)
    {
        var start = _next;
        _next += words;
        if ((long)_next * 8 > _segment.Length)
        {
            throw new InvalidOperationException("the message outgrew its measured size");
        }

        return start;
    }

    /// <summary>Allocates a struct and points <paramref name="pointerWord"/> at it; returns its first word.</summary>
    public int WriteStruct(int pointerWord, ushort dataWords, ushort pointerCount)
    {
        var start = Allocate(dataWords + pointerCount);
        // A zero-sized struct points at its own pointer (offset -1) so the pointer is not mistaken for null.
        var offset = dataWords + pointerCount == 0 ? -1 : start - pointerWord - 1;
        SetWord(pointerWord, WirePointer.MakeStruct(offset, dataWords, pointerCount));
        return start;
    }

    /// <summary>Allocates a composite list; returns the first word of element 0.</summary>
    public int WriteCompositeList(int pointerWord, int count, ushort dataWords, ushort pointerCount)
    {
        var elementWords = dataWords + pointerCount;
        var start = Allocate(1 + (count * elementWords));
        SetWord(pointerWord, WirePointer.MakeList(start - pointerWord - 1, WirePointer.ElementComposite, count * elementWords));
        SetWord(start, WirePointer.MakeStruct(count, dataWords, pointerCount));
        return start + 1;
    }

    /// <summary>Allocates a list of pointers; returns the word of pointer 0.</summary>
    public int WritePointerList(int pointerWord, int count)
    {
        var start = Allocate(count);
        SetWord(pointerWord, WirePointer.MakeList(start - pointerWord - 1, WirePointer.ElementPointer, count));
        return start;
    }

    /// <summary>Allocates a list of 16-bit values; returns its first byte offset in the segment.</summary>
    public int WriteUInt16List(int pointerWord, int count)
    {
        var start = Allocate(Words.ForBytes(2L * count));
        SetWord(pointerWord, WirePointer.MakeList(start - pointerWord - 1, WirePointer.ElementTwoBytes, count));
        return start * 8;
    }

    public void WriteData(int pointerWord, ReadOnlySpan<byte> bytes)
    {
        var start = Allocate(Words.ForBytes(bytes.Length));
        SetWord(pointerWord, WirePointer.MakeList(start - pointerWord - 1, WirePointer.ElementByte, bytes.Length));
        bytes.CopyTo(_segment.Slice(start * 8));
    }

    public void WriteText(int pointerWord, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var start = Allocate(Words.ForBytes(length + 1L));
        SetWord(pointerWord, WirePointer.MakeList(start - pointerWord - 1, WirePointer.ElementByte, length + 1));
        Encoding.UTF8.GetBytes(text, _segment.Slice(start * 8, length));
    }

    public readonly void SetWord(int word, ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(_segment.Slice(word * 8, 8), value);

    public readonly void SetBool(int structWord, int bitOffset, bool value)
    {
        if (value)
        {
            _segment[(structWord * 8) + (bitOffset >> 3)] |= (byte)(1 << (bitOffset & 7));
        }
    }

    public readonly void SetUInt8(int structWord, int byteOffset, byte value) => _segment[(structWord * 8) + byteOffset] = value;

    public readonly void SetUInt16(int structWord, int byteOffset, ushort value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_segment.Slice((structWord * 8) + byteOffset, 2), value);

    public readonly void SetUInt32(int structWord, int byteOffset, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(_segment.Slice((structWord * 8) + byteOffset, 4), value);

    public readonly void SetUInt64(int structWord, int byteOffset, ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(_segment.Slice((structWord * 8) + byteOffset, 8), value);

    /// <summary>Writes a 16-bit element at a byte offset of the segment (for lists of enums).</summary>
    public readonly void SetUInt16At(int byteOffset, ushort value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_segment.Slice(byteOffset, 2), value);
}
