namespace Scaler.Symphony.Local;

/// <summary>
/// The local engine's application profile: what <c>soamreg</c> registers on a real cluster, reduced to what the
/// engine honours: the application name clients connect to, its session types, the service and how to start it,
/// and how many service instances may run at once.
/// </summary>
public sealed record LocalApplicationProfile
{
    public LocalApplicationProfile(string applicationName, IReadOnlyList<LocalSessionType> sessionTypes, LocalServiceCommand serviceCommand)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ArgumentNullException.ThrowIfNull(sessionTypes);
        ArgumentNullException.ThrowIfNull(serviceCommand);
        if (sessionTypes.Count == 0)
        {
            throw new ArgumentException("a profile needs at least one session type", nameof(sessionTypes));
        }

        ApplicationName = applicationName;
        SessionTypes = sessionTypes;
        ServiceCommand = serviceCommand;
    }

    public string ApplicationName { get; }

    /// <summary>The first one is the default type (what an empty session type selects).</summary>
    public IReadOnlyList<LocalSessionType> SessionTypes { get; }

    public string ServiceName { get; init; } = "ScalerService";

    public LocalServiceCommand ServiceCommand { get; }

    /// <summary>Most service instances (processes) running at once: the concurrency bound.</summary>
    public int MaxInstances { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Instances that die before they are ready, in a row, before pending tasks are failed.</summary>
    public int MaxConsecutiveStartFailures { get; init; } = 3;

    /// <summary>
    /// The profile Scaler's Symphony application uses: session types RecoverableAllHistoricalData (the default,
    /// taskRetryLimit 1), RecoverableNoHistoricalData, UnrecoverableAllHistoricalData and
    /// UnrecoverableNoHistoricalData (taskRetryLimit 1 each), running the Scaler task service.
    /// </summary>
    public static LocalApplicationProfile ForScaler(string applicationName, int maxInstances, LocalServiceCommand? serviceCommand = null) =>
        new(
            applicationName,
            [
                new LocalSessionType("RecoverableAllHistoricalData", 1),
                new LocalSessionType("RecoverableNoHistoricalData", 1),
                new LocalSessionType("UnrecoverableAllHistoricalData", 1),
                new LocalSessionType("UnrecoverableNoHistoricalData", 1),
            ],
            serviceCommand ?? LocalServiceCommand.ScalerCli())
        {
            MaxInstances = maxInstances,
        };

    internal LocalSessionType? FindSessionType(string name) => name.Length == 0
        ? SessionTypes[0]
        : SessionTypes.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}
