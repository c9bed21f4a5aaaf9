namespace Scaler.Protocol.Capnp;

/// <summary>A zero-allocation typed view of a list of structs.</summary>
public readonly ref struct StructList<T>
    where T : IStructView<T>, allows ref struct
{
    private readonly ListReader _list;

    internal StructList(ListReader list)
    {
        _list = list;
    }

    public int Count => _list.Count;

    public T this[int index] => T.Create(_list.GetStruct(index));

    public Enumerator GetEnumerator() => new(this);

    public ref struct Enumerator
    {
        private readonly StructList<T> _list;
        private int _index;

        internal Enumerator(StructList<T> list)
        {
            _list = list;
            _index = -1;
        }

        public readonly T Current => _list[_index];

        public bool MoveNext() => ++_index < _list.Count;
    }
}
