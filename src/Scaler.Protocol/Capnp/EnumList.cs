using System.Runtime.CompilerServices;

namespace Scaler.Protocol.Capnp;

/// <summary>A zero-allocation view of a list of enums (16-bit values; unknown values are kept as numbers).</summary>
public readonly ref struct EnumList<T>
    where T : unmanaged, Enum
{
    private readonly ListReader _list;

    internal EnumList(ListReader list)
    {
        _list = list;
    }

    public int Count => _list.Count;

    public T this[int index] => Unsafe.BitCast<ushort, T>(_list.GetUInt16(index));
}
