using System.Buffers.Binary;

namespace Scaler.Protocol.Capnp;

/// <summary>
/// A zero-allocation view of one struct inside a message. Fields beyond the struct's data or pointer section read
/// as their default (zero), so older and newer schema versions interoperate. Null pointers read as defaults.
/// </summary>
public readonly ref struct StructReader
{
    private readonly ReadOnlySpan<byte> _frame;
    private readonly ref long _budget;
    private readonly SegmentRef _segment;
    private readonly int _dataByte;
    private readonly int _dataBytes;
    private readonly int _pointerByte;
    private readonly int _pointerCount;
    private readonly int _nestingLeft;

    internal StructReader(
        ReadOnlySpan<byte> frame, ref long budget, SegmentRef segment, int dataByte, int dataBytes, int pointerByte,
        int pointerCount, int nestingLeft)
    {
        _frame = frame;
        _budget = ref budget;
        _segment = segment;
        _dataByte = dataByte;
        _dataBytes = dataBytes;
        _pointerByte = pointerByte;
        _pointerCount = pointerCount;
        _nestingLeft = nestingLeft;
    }

    /// <summary>Size of the data section in bytes.</summary>
    public int DataBytes => _dataBytes;

    /// <summary>Number of pointers in the pointer section.</summary>
    public int PointerCount => _pointerCount;

    public bool ReadBool(int bitOffset)
    {
        var byteIndex = bitOffset >> 3;
        return byteIndex < _dataBytes && (_frame[_dataByte + byteIndex] & (1 << (bitOffset & 7))) != 0;
    }

    public byte ReadUInt8(int byteOffset) => byteOffset + 1 <= _dataBytes ? _frame[_dataByte + byteOffset] : (byte)0;

    public sbyte ReadInt8(int byteOffset) => unchecked((sbyte)ReadUInt8(byteOffset));

    public ushort ReadUInt16(int byteOffset) => byteOffset + 2 <= _dataBytes
        ? BinaryPrimitives.ReadUInt16LittleEndian(_frame.Slice(_dataByte + byteOffset, 2))
        : (ushort)0;

    public short ReadInt16(int byteOffset) => unchecked((short)ReadUInt16(byteOffset));

    public uint ReadUInt32(int byteOffset) => byteOffset + 4 <= _dataBytes
        ? BinaryPrimitives.ReadUInt32LittleEndian(_frame.Slice(_dataByte + byteOffset, 4))
        : 0u;

    public int ReadInt32(int byteOffset) => unchecked((int)ReadUInt32(byteOffset));

    public ulong ReadUInt64(int byteOffset) => byteOffset + 8 <= _dataBytes
        ? BinaryPrimitives.ReadUInt64LittleEndian(_frame.Slice(_dataByte + byteOffset, 8))
        : 0ul;

    public long ReadInt64(int byteOffset) => unchecked((long)ReadUInt64(byteOffset));

    public float ReadFloat32(int byteOffset) => BitConverter.UInt32BitsToSingle(ReadUInt32(byteOffset));

    public double ReadFloat64(int byteOffset) => BitConverter.UInt64BitsToDouble(ReadUInt64(byteOffset));

    /// <summary>The struct behind pointer <paramref name="index"/>; an empty struct when the pointer is null.</summary>
    public StructReader ReadStruct(int index)
    {
        // Fast path: a near struct pointer that fits its segment and the budget. Anything else (null, far, errors)
        // takes the general path, which also produces the error messages.
        if (index < _pointerCount && _nestingLeft > 0)
        {
            var pointerByte = _pointerByte + (8 * index);
            var word = BinaryPrimitives.ReadUInt64LittleEndian(_frame.Slice(pointerByte, 8));
            if ((word & 3) == WirePointer.StructKind && word != 0)
            {
                int dataWords = WirePointer.StructDataWords(word);
                var size = dataWords + WirePointer.StructPointerCount(word);
                var start = ((pointerByte - _segment.StartByte) / 8) + 1L + WirePointer.Offset(word);
                if (start >= 0 && start + size <= _segment.Words && (_budget -= Math.Max(1, size)) >= 0)
                {
                    var dataByte = _segment.StartByte + (int)(start * 8);
                    return new StructReader(
                        _frame, ref _budget, _segment, dataByte, dataWords * 8, dataByte + (dataWords * 8), size - dataWords, _nestingLeft - 1);
                }
            }
        }

        if (!TryTarget(index, out var target))
        {
            return new StructReader(_frame, ref _budget, _segment, 0, 0, 0, 0, _nestingLeft - 1);
        }

        return ObjectDecoder.Struct(_frame, ref _budget, target, _nestingLeft);
    }

    /// <summary>The list behind pointer <paramref name="index"/>; an empty list when the pointer is null.</summary>
    public ListReader ReadList(int index)
    {
        if (!TryTarget(index, out var target))
        {
            return new ListReader(_frame, ref _budget, _segment, 0, 0, 0, 0, 0, WirePointer.ElementVoid, _nestingLeft - 1);
        }

        return ObjectDecoder.List(_frame, ref _budget, target, _nestingLeft);
    }

    /// <summary>The bytes of a Data field; empty when null.</summary>
    public ReadOnlySpan<byte> ReadData(int index) =>
        TryNearBytes(index, out var bytes) ? bytes : ReadList(index).AsBytes("Data");

    /// <summary>The UTF-8 bytes of a Text field without its NUL terminator; empty when null.</summary>
    public ReadOnlySpan<byte> ReadText(int index) =>
        TryNearBytes(index, out var bytes) && bytes.Length > 0 && bytes[^1] == 0 ? bytes[..^1] : ReadList(index).AsText();

    public StructList<T> ReadStructList<T>(int index)
        where T : IStructView<T>, allows ref struct
    {
        // Fast path: a near pointer to a well-formed composite list that fits its segment and the budget.
        if (index < _pointerCount && _nestingLeft > 0)
        {
            var pointerByte = _pointerByte + (8 * index);
            var word = BinaryPrimitives.ReadUInt64LittleEndian(_frame.Slice(pointerByte, 8));
            if ((word & 0x7_0000_0003ul) == ((ulong)WirePointer.ElementComposite << 32 | WirePointer.ListKind))
            {
                var wordCount = WirePointer.ListCount(word);
                var start = ((pointerByte - _segment.StartByte) / 8) + 1L + WirePointer.Offset(word);
                if (start >= 0 && start + 1 + wordCount <= _segment.Words)
                {
                    var tagByte = _segment.StartByte + (int)(start * 8);
                    var tag = BinaryPrimitives.ReadUInt64LittleEndian(_frame.Slice(tagByte, 8));
                    var count = WirePointer.Offset(tag);
                    int dataWords = WirePointer.StructDataWords(tag);
                    var elementWords = dataWords + WirePointer.StructPointerCount(tag);
                    if ((tag & 3) == WirePointer.StructKind && count >= 0 && (long)count * elementWords <= wordCount
                        && (_budget -= Math.Max(1L, Math.Max(wordCount, count))) >= 0)
                    {
                        return new(new ListReader(
                            _frame, ref _budget, _segment, tagByte + 8, count, elementWords * 64, dataWords * 64,
                            elementWords - dataWords, WirePointer.ElementComposite, _nestingLeft - 1));
                    }
                }
            }
        }

        return new(ReadList(index).ExpectStructs());
    }

    public DataList ReadDataList(int index) => new(ReadList(index).ExpectPointers());

    public EnumList<T> ReadEnumList<T>(int index)
        where T : unmanaged, Enum => new(ReadList(index).ExpectDataBits(16));

    /// <summary>Fast path for the common case: a near pointer to a list of bytes that fits its segment and the budget.</summary>
    private bool TryNearBytes(int index, out ReadOnlySpan<byte> bytes)
    {
        if (index < _pointerCount && _nestingLeft > 0)
        {
            var pointerByte = _pointerByte + (8 * index);
            var word = BinaryPrimitives.ReadUInt64LittleEndian(_frame.Slice(pointerByte, 8));
            if ((word & 0x7_0000_0003ul) == ((ulong)WirePointer.ElementByte << 32 | WirePointer.ListKind))
            {
                var count = WirePointer.ListCount(word);
                var words = (count + 7L) / 8;
                var start = ((pointerByte - _segment.StartByte) / 8) + 1L + WirePointer.Offset(word);
                if (start >= 0 && start + words <= _segment.Words && (_budget -= Math.Max(1, words)) >= 0)
                {
                    bytes = _frame.Slice(_segment.StartByte + (int)(start * 8), count);
                    return true;
                }
            }
        }

        bytes = default;
        return false;
    }

    private bool TryTarget(int index, out PointerTarget target)
    {
        if (index >= _pointerCount)
        {
            target = default;
            return false;
        }

        var pointerWord = (_pointerByte - _segment.StartByte) / 8 + index;
        return PointerResolver.TryResolve(_frame, _segment, pointerWord, out target);
    }
}
