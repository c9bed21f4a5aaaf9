namespace Scaler.Symphony.Soam;

/// <summary>A connection to one application, as SOAM's <c>Connection</c>. Close it after its sessions.</summary>
public interface ISoamConnection : IDisposable
{
    string Id { get; }

    /// <summary>
    /// Creates a session. The session type must exist in the application profile, else this throws
    /// <see cref="SoamException"/>. Wire the callback's events before calling this.
    /// </summary>
    ISoamSession CreateSession(SessionCreationAttributes attributes);

    void Close();
}
