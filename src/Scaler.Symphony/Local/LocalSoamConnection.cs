using System.Globalization;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Local;

/// <summary>A connection to one application of the local engine.</summary>
public sealed class LocalSoamConnection : ISoamConnection
{
    private static long s_nextId;
    private readonly List<LocalSoamSession> _sessions = [];
    private bool _closed;

    internal LocalSoamConnection(LocalSoamEngine engine)
    {
        Engine = engine;
        Id = Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
    }

    public string Id { get; }

    /// <summary>The engine behind this connection (tests use its hooks and counters).</summary>
    public LocalSoamEngine Engine { get; }

    public ISoamSession CreateSession(SessionCreationAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        lock (_sessions)
        {
            if (_closed)
            {
                throw new SoamException($"connection {Id} is closed");
            }

            var session = Engine.CreateSession(attributes);
            _sessions.Add(session);
            return session;
        }
    }

    /// <summary>Closes the connection; sessions still open are closed with it.</summary>
    public void Close()
    {
        List<LocalSoamSession> sessions;
        lock (_sessions)
        {
            _closed = true;
            sessions = [.. _sessions];
            _sessions.Clear();
        }

        foreach (var session in sessions)
        {
            session.Close();
        }
    }

    public void Dispose() => Close();
}
