using Scaler.Symphony.Local;

namespace Scaler.Symphony.Tests.Support;

internal static class TestProfiles
{
    public const string Application = "ScalerApp";

    /// <summary>Instances run <see cref="ScriptedService"/> through scaler-cli's hidden instance command.</summary>
    public static LocalApplicationProfile Scripted(int maxInstances = 2, int taskRetryLimit = 1, bool abortSessionIfTaskFail = false) =>
        new(
            Application,
            [new LocalSessionType("RecoverableAllHistoricalData", taskRetryLimit) { AbortSessionIfTaskFail = abortSessionIfTaskFail }],
            LocalServiceCommand.ScalerCli("--service-assembly", typeof(ScriptedService).Assembly.Location, "--service-type", typeof(ScriptedService).FullName!))
        {
            MaxInstances = maxInstances,
        };
}
