using Microsoft.Extensions.Logging;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Ibm;

/// <summary>
/// Picks the SOAM backend for <c>--soam-backend auto|ibm|local</c> and logs one line saying which and why.
/// </summary>
public static partial class SoamBackendSelector
{
    /// <param name="kind">The choice.</param>
    /// <param name="libraryPath">IBM's assembly, or a directory holding it; null searches <paramref name="soamHome"/>.</param>
    /// <param name="soamHome">Symphony's install root; pass <c>Environment.GetEnvironmentVariable("SOAM_HOME")</c>.</param>
    /// <param name="createLocal">Creates the local backend when it is chosen.</param>
    /// <param name="logger">Gets the one line.</param>
    public static ISoamApi Select(SoamBackendKind kind, string? libraryPath, string? soamHome, Func<ISoamApi> createLocal, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(createLocal);
        ArgumentNullException.ThrowIfNull(logger);
        if (kind == SoamBackendKind.Local)
        {
            LogChosen(logger, "local", "--soam-backend local");
            return createLocal();
        }

        var path = IbmSoamLocator.Locate(libraryPath, soamHome, out var reason);
        if (path is not null)
        {
            var api = IbmSoamApi.Load(path);
            LogChosen(logger, "ibm", $"loaded {path} (found via {reason})");
            return api;
        }

        if (kind == SoamBackendKind.Ibm)
        {
            throw new SoamException($"--soam-backend ibm: IBM's SOAM .NET API ({IbmSoamLocator.AssemblyFileName}) was not found: {reason}");
        }

        LogChosen(logger, "local", $"auto: IBM's SOAM .NET API not found ({reason})");
        return createLocal();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SOAM backend: {Backend} ({Why})")]
    private static partial void LogChosen(ILogger logger, string backend, string why);
}
