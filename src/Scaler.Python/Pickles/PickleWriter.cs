using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Scaler.Python.Pickles;

/// <summary>
/// Writes pickle opcodes (protocol 4, unframed): enough to build an object graph of globals, strings, bytes, tuples
/// and calls, which any Python 3.4+ loads with <c>pickle.loads</c>. The caller writes a well-formed program; this type
/// only encodes each opcode and its argument exactly.
/// </summary>
public sealed class PickleWriter
{
    public const int Protocol = 4;

    private readonly ArrayBufferWriter<byte> _buffer;
    private int _memoCount;

    public PickleWriter(int initialCapacity = 256)
    {
        _buffer = new ArrayBufferWriter<byte>(Math.Max(16, initialCapacity));
        Byte(PickleOpcodes.Proto);
        Byte(Protocol);
    }

    /// <summary>Pushes the global <c>module.name</c> (a class or function Python imports when it loads the pickle).</summary>
    public PickleWriter Global(string module, string name)
    {
        Text(module);
        Text(name);
        return Byte(PickleOpcodes.StackGlobal);
    }

    /// <summary>Pushes a <c>str</c>.</summary>
    public PickleWriter Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        if (length < 256)
        {
            Byte(PickleOpcodes.ShortBinUnicode);
            Byte((byte)length);
        }
        else
        {
            Byte(PickleOpcodes.BinUnicode);
            UInt32((uint)length);
        }

        var span = _buffer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _buffer.Advance(length);
        return this;
    }

    /// <summary>Pushes a <c>bytes</c> object.</summary>
    public PickleWriter Bytes(ReadOnlySpan<byte> value)
    {
        if (value.Length < 256)
        {
            Byte(PickleOpcodes.ShortBinBytes);
            Byte((byte)value.Length);
        }
        else
        {
            Byte(PickleOpcodes.BinBytes);
            UInt32((uint)value.Length);
        }

        _buffer.Write(value);
        return this;
    }

    public PickleWriter None() => Byte(PickleOpcodes.None);

    /// <summary>Pushes an <c>int</c> (32-bit range).</summary>
    public PickleWriter Int(int value)
    {
        Byte(PickleOpcodes.BinInt);
        var span = _buffer.GetSpan(4);
        BinaryPrimitives.WriteInt32LittleEndian(span, value);
        _buffer.Advance(4);
        return this;
    }

    /// <summary>Starts the items of a tuple closed by <see cref="TupleFromMark"/>.</summary>
    public PickleWriter Mark() => Byte(PickleOpcodes.Mark);

    /// <summary>Replaces everything since the last <see cref="Mark"/> by one tuple of it.</summary>
    public PickleWriter TupleFromMark() => Byte(PickleOpcodes.Tuple);

    /// <summary>Replaces the top item by a one-item tuple.</summary>
    public PickleWriter Tuple1() => Byte(PickleOpcodes.Tuple1);

    /// <summary>Replaces the top two items by a two-item tuple.</summary>
    public PickleWriter Tuple2() => Byte(PickleOpcodes.Tuple2);

    public PickleWriter EmptyList() => Byte(PickleOpcodes.EmptyList);

    /// <summary>Appends the top item to the list below it.</summary>
    public PickleWriter Append() => Byte(PickleOpcodes.Append);

    /// <summary>Drops the top item (after it was remembered with <see cref="Memoize"/>).</summary>
    public PickleWriter Pop() => Byte(PickleOpcodes.Pop);

    /// <summary>Calls the item below the top with the top item (a tuple) as its arguments; pushes the result.</summary>
    public PickleWriter Reduce() => Byte(PickleOpcodes.Reduce);

    /// <summary>Remembers the top item under the next memo index (0, 1, ...) and returns that index.</summary>
    public int Memoize()
    {
        Byte(PickleOpcodes.Memoize);
        return _memoCount++;
    }

    /// <summary>Pushes the item remembered under <paramref name="index"/>.</summary>
    public PickleWriter Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _memoCount);
        if (index < 256)
        {
            Byte(PickleOpcodes.BinGet);
            return Byte((byte)index);
        }

        Byte(PickleOpcodes.LongBinGet);
        return UInt32((uint)index);
    }

    /// <summary>Ends the program (STOP) and returns its bytes.</summary>
    public byte[] ToArrayWithStop()
    {
        Byte(PickleOpcodes.Stop);
        return _buffer.WrittenSpan.ToArray();
    }

    private PickleWriter Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    private PickleWriter UInt32(uint value)
    {
        var span = _buffer.GetSpan(4);
        BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        _buffer.Advance(4);
        return this;
    }
}
