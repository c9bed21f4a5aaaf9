namespace Scaler.Symphony.Soam;

/// <summary>What <see cref="SoamTaskSession.Open"/> connects to and how.</summary>
public sealed record SoamTaskSessionOptions
{
    public SoamTaskSessionOptions(string applicationName)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ApplicationName = applicationName;
    }

    /// <summary>The application name (Scaler's <c>--service-name</c> is passed here, as the reference does).</summary>
    public string ApplicationName { get; }

    public string SessionType { get; init; } = SessionCreationAttributes.DefaultSessionType;

    public string SessionName { get; init; } = "ScalerSession";

    public ConnectionSecurityCallback SecurityCallback { get; init; } = DefaultSecurityCallback.Guest;
}
