using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.Scheduler.Runtime;

/// <summary>
/// Connected worker managers, keyed by their connection identity, with the last heartbeat and when it came. A
/// manager id already claimed by another connection is refused, as in the reference.
/// </summary>
internal sealed class WorkerManagerTracker(TimeProvider time)
{
    private readonly Dictionary<PeerIdentity, ManagerRecord> _managers = [];
    private readonly Dictionary<WorkerManagerId, PeerIdentity> _peerOf = [];

    public int Count => _managers.Count;

    public IEnumerable<(PeerIdentity Peer, ManagerRecord Record)> All =>
        _managers.Select(pair => (pair.Key, pair.Value));

    public bool Contains(PeerIdentity peer) => _managers.ContainsKey(peer);

    /// <summary>Records a heartbeat. Null when the manager id belongs to another connection (refused).</summary>
    public ManagerRecord? OnHeartbeat(PeerIdentity peer, WorkerManagerHeartbeat heartbeat, out bool isNew)
    {
        var id = new WorkerManagerId(heartbeat.WorkerManagerID);
        isNew = !_managers.ContainsKey(peer);
        if (_peerOf.TryGetValue(id, out var owner) && owner != peer)
        {
            return null;
        }

        if (_managers.TryGetValue(peer, out var old) && old.Id != id)
        {
            _peerOf.Remove(old.Id);
        }

        _peerOf[id] = peer;
        var record = new ManagerRecord(id, heartbeat, time.GetTimestamp());
        _managers[peer] = record;
        return record;
    }

    public bool Remove(PeerIdentity peer)
    {
        if (!_managers.Remove(peer, out var record))
        {
            return false;
        }

        _peerOf.Remove(record.Id);
        return true;
    }

    /// <summary>Removes and returns the managers silent for longer than <paramref name="timeout"/>.</summary>
    public IReadOnlyList<PeerIdentity> RemoveTimedOut(TimeSpan timeout)
    {
        var expired = _managers.Where(pair => time.GetElapsedTime(pair.Value.LastSeen) > timeout)
            .Select(pair => pair.Key).ToArray();
        foreach (var peer in expired)
        {
            Remove(peer);
        }

        return expired;
    }

    public TimeSpan SilenceOf(ManagerRecord record) => time.GetElapsedTime(record.LastSeen);

    internal sealed record ManagerRecord(WorkerManagerId Id, WorkerManagerHeartbeat Heartbeat, long LastSeen)
    {
        /// <summary>The last desired total sent to it, for the pending-workers status.</summary>
        public int LastDesiredTotal { get; set; }
    }
}
