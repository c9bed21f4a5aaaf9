using Scaler.ObjectStorage.Store;
using Scaler.Scheduler.Identity;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Which client owns which object in object storage. An object lives while its owner references it; it becomes
/// garbage when the owner deletes it, clears its objects, or goes away. Garbage is collected by the caller with
/// <see cref="TakeGarbage"/> (the scheduler then tells workers to drop it and deletes it from storage).
/// </summary>
internal sealed class ObjectTracker
{
    private readonly Dictionary<ObjectId, ObjectRecord> _objects = [];
    private readonly Dictionary<ClientId, HashSet<ObjectId>> _objectsOf = [];
    private readonly List<ObjectId> _garbage = [];

    public int Count => _objects.Count;

    public bool HasGarbage => _garbage.Count > 0;

    public bool TryGetName(ObjectId id, out byte[] name)
    {
        name = _objects.TryGetValue(id, out var record) ? record.Name : [];
        return record is not null;
    }

    /// <summary>Records an object; a known id keeps its first owner (a duplicate create is harmless).</summary>
    public void Add(ClientId owner, ObjectId id, byte[] name)
    {
        if (_objects.ContainsKey(id))
        {
            return;
        }

        _objects.Add(id, new ObjectRecord(owner, name));
        if (!_objectsOf.TryGetValue(owner, out var owned))
        {
            _objectsOf.Add(owner, owned = []);
        }

        owned.Add(id);
    }

    /// <summary>The owner no longer needs the object. Ignored when <paramref name="owner"/> is not its owner.</summary>
    public void Delete(ClientId owner, ObjectId id)
    {
        if (_objects.TryGetValue(id, out var record) && record.Owner == owner)
        {
            Drop(id, record.Owner);
        }
    }

    /// <summary>Every object of <paramref name="owner"/> becomes garbage (client gone, or a clear instruction).</summary>
    public int DropClient(ClientId owner)
    {
        if (!_objectsOf.Remove(owner, out var owned))
        {
            return 0;
        }

        foreach (var id in owned)
        {
            _objects.Remove(id);
            _garbage.Add(id);
        }

        return owned.Count;
    }

    /// <summary>The objects that became garbage since the last call.</summary>
    public IReadOnlyList<ObjectId> TakeGarbage()
    {
        var taken = _garbage.ToArray();
        _garbage.Clear();
        return taken;
    }

    private void Drop(ObjectId id, ClientId owner)
    {
        _objects.Remove(id);
        if (_objectsOf.TryGetValue(owner, out var owned))
        {
            owned.Remove(id);
            if (owned.Count == 0)
            {
                _objectsOf.Remove(owner);
            }
        }

        _garbage.Add(id);
    }

    private sealed record ObjectRecord(ClientId Owner, byte[] Name);
}
