namespace Scaler.Symphony.Soam;

/// <summary>What a service instance knows for its whole life, as SOAM's <c>ServiceContext</c>.</summary>
public sealed class ServiceContext
{
    public ServiceContext(string applicationName, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(applicationName);
        ArgumentNullException.ThrowIfNull(serviceName);
        ApplicationName = applicationName;
        ServiceName = serviceName;
    }

    public string ApplicationName { get; }

    public string ServiceName { get; }
}
