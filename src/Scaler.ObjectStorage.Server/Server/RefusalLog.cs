using Microsoft.Extensions.Logging;
using Scaler.ObjectStorage.Store;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// Logs refusals at most once per <see cref="Interval"/> for each kind, with how many were not logged in between: a
/// full store refuses every set of a busy client, and a line for each would flood the log.
/// </summary>
internal sealed class RefusalLog
{
    /// <summary>Least time between two lines about refusals of one kind.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<StoreRefusal, (long LoggedAt, int Unlogged)> _byKind = [];

    public RefusalLog(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    public void Refused(StoreRefusal kind, string peer, string reason)
    {
        long now = _time.GetTimestamp();
        if (_byKind.TryGetValue(kind, out (long LoggedAt, int Unlogged) last)
            && _time.GetElapsedTime(last.LoggedAt, now) < Interval)
        {
            _byKind[kind] = (last.LoggedAt, last.Unlogged + 1);
            return;
        }

        ObjectStorageLog.Refused(_logger, peer, reason, last.Unlogged);
        _byKind[kind] = (now, 0);
    }
}
