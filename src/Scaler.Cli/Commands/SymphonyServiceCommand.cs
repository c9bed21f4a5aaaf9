using System.CommandLine;
using Scaler.Symphony.Local;

namespace Scaler.Cli.Commands;

/// <summary>
/// <c>scaler-cli symphony-service</c>: the service package entry point of Scaler's Symphony application (the
/// profile's <c>startCmd</c>). Started by the local SOAM engine it hosts the Scaler task service over the engine's
/// channel; started by IBM Symphony it needs IBM's service-side binding, which is not built yet (see
/// docs/symphony.md).
/// </summary>
internal static class SymphonyServiceCommand
{
    public const string Name = "symphony-service";

    public static Command Create()
    {
        var command = new Command(Name, "Run the Scaler task service as a Symphony service instance");
        command.SetAction(async (_, cancellationToken) =>
        {
            if (Environment.GetEnvironmentVariable(LocalInstanceHost.ApplicationVariable) is not null)
            {
                return await SoamLocalInstanceCommand.RunAsync(null, null, cancellationToken).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync(
                "symphony-service: hosting under IBM Spectrum Symphony (IBM's ServiceContainer) is not built yet; "
                + "only the local SOAM engine can start this service today").ConfigureAwait(false);
            return 2;
        });
        return command;
    }
}
