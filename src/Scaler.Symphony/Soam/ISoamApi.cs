namespace Scaler.Symphony.Soam;

/// <summary>
/// The process-wide entry point of a SOAM client, as IBM's <c>SoamFactory</c>: <see cref="Initialize"/> once before
/// anything else, <see cref="Connect"/> with the application name, <see cref="Uninitialize"/> last.
/// </summary>
public interface ISoamApi : IDisposable
{
    /// <summary>Which backend this is: <c>local</c> or <c>ibm</c>.</summary>
    string BackendName { get; }

    void Initialize();

    /// <summary>
    /// Connects to an application. The name is the application name of a registered application profile
    /// (<c>&lt;Consumer applicationName=…&gt;</c>), not a service name.
    /// </summary>
    ISoamConnection Connect(string applicationName, ConnectionSecurityCallback securityCallback);

    void Uninitialize();
}
