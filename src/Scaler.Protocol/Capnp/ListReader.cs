using System.Buffers.Binary;

namespace Scaler.Protocol.Capnp;

/// <summary>
/// A zero-allocation view of one list. Every list is seen as elements of <c>stride</c> bits, each holding a data
/// part and a number of pointers, so a list written with a different element encoding than expected (a struct list
/// where primitives were expected, or the reverse) still reads as Cap'n Proto allows.
/// </summary>
public readonly ref struct ListReader
{
    private readonly ReadOnlySpan<byte> _frame;
    private readonly ref long _budget;
    private readonly SegmentRef _segment;
    private readonly int _startByte;
    private readonly int _count;
    private readonly int _strideBits;
    private readonly int _dataBits;
    private readonly int _pointerCount;
    private readonly int _elementSize;
    private readonly int _nestingLeft;

    internal ListReader(
        ReadOnlySpan<byte> frame, ref long budget, SegmentRef segment, int startByte, int count, int strideBits,
        int dataBits, int pointerCount, int elementSize, int nestingLeft)
    {
        _frame = frame;
        _budget = ref budget;
        _segment = segment;
        _startByte = startByte;
        _count = count;
        _strideBits = strideBits;
        _dataBits = dataBits;
        _pointerCount = pointerCount;
        _elementSize = elementSize;
        _nestingLeft = nestingLeft;
    }

    public int Count => _count;

    public bool GetBool(int index)
    {
        CheckIndex(index);
        if (_elementSize == WirePointer.ElementBit)
        {
            return (_frame[_startByte + (index >> 3)] & (1 << (index & 7))) != 0;
        }

        return _dataBits >= 8 && (_frame[ElementByte(index)] & 1) != 0;
    }

    public byte GetUInt8(int index)
    {
        CheckIndex(index);
        return _dataBits >= 8 ? _frame[ElementByte(index)] : (byte)0;
    }

    public ushort GetUInt16(int index)
    {
        CheckIndex(index);
        return _dataBits >= 16 ? BinaryPrimitives.ReadUInt16LittleEndian(_frame.Slice(ElementByte(index), 2)) : (ushort)0;
    }

    public uint GetUInt32(int index)
    {
        CheckIndex(index);
        return _dataBits >= 32 ? BinaryPrimitives.ReadUInt32LittleEndian(_frame.Slice(ElementByte(index), 4)) : 0u;
    }

    public ulong GetUInt64(int index)
    {
        CheckIndex(index);
        return _dataBits >= 64 ? BinaryPrimitives.ReadUInt64LittleEndian(_frame.Slice(ElementByte(index), 8)) : 0ul;
    }

    /// <summary>Element <paramref name="index"/> seen as a struct.</summary>
    public StructReader GetStruct(int index)
    {
        CheckIndex(index);
        if (_elementSize == WirePointer.ElementBit)
        {
            throw new ProtocolException(
                $"list of bits at segment {_segment.Index} cannot be read as a list of structs");
        }

        var start = ElementByte(index);
        var dataBytes = _dataBits / 8;
        return new StructReader(_frame, ref _budget, _segment, start, dataBytes, start + dataBytes, _pointerCount, _nestingLeft);
    }

    /// <summary>The pointer of element <paramref name="index"/> read as Data.</summary>
    public ReadOnlySpan<byte> GetData(int index) => ElementPointers(index).ReadData(0);

    /// <summary>The pointer of element <paramref name="index"/> read as Text (UTF-8, without the NUL).</summary>
    public ReadOnlySpan<byte> GetText(int index) => ElementPointers(index).ReadText(0);

    internal ReadOnlySpan<byte> AsBytes(string what)
    {
        if (_elementSize != WirePointer.ElementByte && _count != 0)
        {
            throw new ProtocolException(
                $"{what} at segment {_segment.Index} byte {_startByte - _segment.StartByte} is not a list of bytes (element size code {_elementSize})");
        }

        return _frame.Slice(_startByte, _count);
    }

    internal ReadOnlySpan<byte> AsText()
    {
        var bytes = AsBytes("Text");
        if (bytes.Length == 0)
        {
            return bytes;
        }

        if (bytes[^1] != 0)
        {
            throw new ProtocolException(
                $"Text at segment {_segment.Index} byte {_startByte - _segment.StartByte} is not NUL-terminated");
        }

        return bytes[..^1];
    }

    private StructReader ElementPointers(int index)
    {
        CheckIndex(index);
        if (_pointerCount == 0)
        {
            throw new ProtocolException(
                $"list at segment {_segment.Index} byte {_startByte - _segment.StartByte} holds no pointers but pointers were expected");
        }

        var start = ElementByte(index);
        var dataBytes = _dataBits / 8;
        return new StructReader(_frame, ref _budget, _segment, start, dataBytes, start + dataBytes, _pointerCount, _nestingLeft);
    }

    private int ElementByte(int index) => _startByte + (int)((long)index * _strideBits / 8);

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the list has {_count} elements");
        }
    }
}
