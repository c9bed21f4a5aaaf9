namespace Scaler.Symphony.Soam;

/// <summary>The session a service instance is bound to, as SOAM's <c>SessionContext</c>.</summary>
public sealed class SessionContext
{
    public SessionContext(string sessionId)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        SessionId = sessionId;
    }

    public string SessionId { get; }
}
