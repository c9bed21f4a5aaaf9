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
    public ReadOnlySpan<byte> ReadData(int index) => ReadList(index).AsBytes("Data");

    /// <summary>The UTF-8 bytes of a Text field without its NUL terminator; empty when null.</summary>
    public ReadOnlySpan<byte> ReadText(int index) => ReadList(index).AsText();

    public StructList<T> ReadStructList<T>(int index)
        where T : IStructView<T>, allows ref struct => new(ReadList(index));

    public DataList ReadDataList(int index) => new(ReadList(index));

    public EnumList<T> ReadEnumList<T>(int index)
        where T : unmanaged, Enum => new(ReadList(index));

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
