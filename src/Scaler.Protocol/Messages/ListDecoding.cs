using Scaler.Protocol.Capnp;

namespace Scaler.Protocol.Messages;

/// <summary>Copies list views into arrays for the class API. Counts were charged to the traversal budget already.</summary>
internal static class ListDecoding
{
    public static T[] Structs<TView, T>(StructList<TView> list, Func<TView, T> read)
        where TView : IStructView<TView>, allows ref struct
    {
        if (list.Count == 0)
        {
            return [];
        }

        var items = new T[list.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = read(list[i]);
        }

        return items;
    }

    public static byte[][] Data(DataList list)
    {
        if (list.Count == 0)
        {
            return [];
        }

        var items = new byte[list.Count][];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = list[i].ToArray();
        }

        return items;
    }

    public static T[] Enums<T>(EnumList<T> list)
        where T : unmanaged, Enum
    {
        if (list.Count == 0)
        {
            return [];
        }

        var items = new T[list.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = list[i];
        }

        return items;
    }
}
