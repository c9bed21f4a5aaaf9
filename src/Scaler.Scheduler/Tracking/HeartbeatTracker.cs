namespace Scaler.Scheduler.Tracking;

/// <summary>
/// When each peer (worker, client, worker manager) was last heard from, on the injected clock, and which ones have
/// been silent longer than a timeout. Expiry is a scan, meant for the periodic clean-up routine, not per message.
/// </summary>
internal sealed class HeartbeatTracker<TKey>(TimeProvider time)
    where TKey : notnull
{
    private readonly Dictionary<TKey, long> _lastSeen = [];

    public int Count => _lastSeen.Count;

    public IReadOnlyCollection<TKey> Keys => _lastSeen.Keys;

    /// <summary>Records that <paramref name="key"/> was heard from now. True if it was not known before.</summary>
    public bool Beat(TKey key)
    {
        var isNew = !_lastSeen.ContainsKey(key);
        _lastSeen[key] = time.GetTimestamp();
        return isNew;
    }

    /// <summary>Refreshes a known peer only (any message counts as liveness, but only a heartbeat registers).</summary>
    public void Touch(TKey key)
    {
        if (_lastSeen.ContainsKey(key))
        {
            _lastSeen[key] = time.GetTimestamp();
        }
    }

    public bool Contains(TKey key) => _lastSeen.ContainsKey(key);

    public bool Remove(TKey key) => _lastSeen.Remove(key);

    public TimeSpan? SilenceOf(TKey key) =>
        _lastSeen.TryGetValue(key, out var last) ? time.GetElapsedTime(last) : null;

    /// <summary>Removes and returns the peers silent for strictly longer than <paramref name="timeout"/>.</summary>
    public IReadOnlyList<TKey> RemoveExpired(TimeSpan timeout)
    {
        var expired = new List<TKey>();
        foreach (var (key, last) in _lastSeen)
        {
            if (time.GetElapsedTime(last) > timeout)
            {
                expired.Add(key);
            }
        }

        foreach (var key in expired)
        {
            _lastSeen.Remove(key);
        }

        return expired;
    }
}
