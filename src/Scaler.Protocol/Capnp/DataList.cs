namespace Scaler.Protocol.Capnp;

/// <summary>A zero-allocation view of a <c>List(Data)</c>.</summary>
public readonly ref struct DataList
{
    private readonly ListReader _list;

    internal DataList(ListReader list)
    {
        _list = list;
    }

    public int Count => _list.Count;

    public ReadOnlySpan<byte> this[int index] => _list.GetData(index);

    public Enumerator GetEnumerator() => new(this);

    public ref struct Enumerator
    {
        private readonly DataList _list;
        private int _index;

        internal Enumerator(DataList list)
        {
            _list = list;
            _index = -1;
        }

        public readonly ReadOnlySpan<byte> Current => _list[_index];

        public bool MoveNext() => ++_index < _list.Count;
    }
}
