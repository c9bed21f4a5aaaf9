using Scaler.Identity;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Which client owns which object in object storage. An object lives while its owner references it; it becomes
/// garbage when the owner deletes it or clears its objects (at once), or when the owner goes away (after the
/// retention period, <c>--object-retention-seconds</c>, so a worker still finishing a task of a client that just
/// vanished can read its arguments). Garbage is collected by the caller with <see cref="TakeGarbage"/> (the scheduler
/// then tells workers to drop it and deletes it from storage).
/// </summary>
internal sealed class ObjectTracker(TimeProvider time, TimeSpan retention)
{
    private readonly Dictionary<ObjectId, ObjectRecord> _objects = [];
    private readonly Dictionary<ClientId, HashSet<ObjectId>> _objectsOf = [];
    private readonly List<ObjectId> _garbage = [];

    /// <summary>Objects of departed clients, oldest first, with the timestamp at which they become garbage.</summary>
    private readonly Queue<(long Due, HashSet<ObjectId> Ids)> _retained = new();

    public int Count => _objects.Count;

    /// <summary>True when <see cref="TakeGarbage"/> would return something now.</summary>
    public bool HasGarbage => _garbage.Count > 0 || (_retained.Count > 0 && _retained.Peek().Due <= time.GetTimestamp());

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

    /// <summary>Every object of <paramref name="owner"/> becomes garbage at once (a clear instruction).</summary>
    public int ClearClient(ClientId owner) => DropClient(owner, retain: false);

    /// <summary>
    /// The client went away: its objects become garbage when the retention period has passed.
    /// </summary>
    public int ClientGone(ClientId owner) => DropClient(owner, retain: true);

    /// <summary>The objects that are garbage now (deleted ones, and departed clients' ones whose retention ended).</summary>
    public IReadOnlyList<ObjectId> TakeGarbage()
    {
        var now = time.GetTimestamp();
        while (_retained.Count > 0 && _retained.Peek().Due <= now)
        {
            _garbage.AddRange(_retained.Dequeue().Ids);
        }

        var taken = _garbage.ToArray();
        _garbage.Clear();
        return taken;
    }

    private int DropClient(ClientId owner, bool retain)
    {
        if (!_objectsOf.Remove(owner, out var owned))
        {
            return 0;
        }

        foreach (var id in owned)
        {
            _objects.Remove(id);
        }

        if (retain && retention > TimeSpan.Zero)
        {
            var due = time.GetTimestamp() + (long)(retention.TotalSeconds * time.TimestampFrequency);
            _retained.Enqueue((due, owned));
        }
        else
        {
            _garbage.AddRange(owned);
        }

        return owned.Count;
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
