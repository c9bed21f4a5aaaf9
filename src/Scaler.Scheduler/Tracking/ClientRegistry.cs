using Scaler.Identity;
using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Tracking;

/// <summary>
/// Connected clients: registered by a heartbeat, kept alive by any message, and dropped on disconnect or after the
/// client timeout; a dropped client's tasks are all force-canceled so they stop holding workers.
/// </summary>
internal sealed class ClientRegistry
{
    private readonly TaskManager _tasks;
    private readonly TimeSpan _timeout;
    private readonly HeartbeatTracker<ClientId> _heartbeats;

    public ClientRegistry(TaskManager tasks, TimeProvider time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _tasks = tasks;
        _timeout = timeout;
        _heartbeats = new HeartbeatTracker<ClientId>(time);
    }

    public int Count => _heartbeats.Count;

    public bool IsConnected(ClientId client) => _heartbeats.Contains(client);

    /// <summary>True when the client is new.</summary>
    public bool OnHeartbeat(ClientId client) => _heartbeats.Beat(client);

    /// <summary>Any other message from a known client also proves it is alive.</summary>
    public void OnActivity(ClientId client) => _heartbeats.Touch(client);

    /// <summary>The client disconnected: its tasks are canceled. Returns how many it had.</summary>
    public int Disconnect(ClientId client)
    {
        _heartbeats.Remove(client);
        return _tasks.DisconnectClient(client);
    }

    /// <summary>Drops the clients silent for longer than the timeout (their tasks are canceled); returns them.</summary>
    public IReadOnlyList<ClientId> RemoveTimedOut()
    {
        var expired = _heartbeats.RemoveExpired(_timeout);
        foreach (var client in expired)
        {
            _tasks.DisconnectClient(client);
        }

        return expired;
    }
}
