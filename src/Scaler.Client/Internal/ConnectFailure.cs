using System.Globalization;
using Scaler.IO.Addressing;

namespace Scaler.Internal;

/// <summary>How far connecting got: the failure message says what did not answer.</summary>
internal enum ConnectStage
{
    /// <summary>No connection to the scheduler's address yet.</summary>
    Connecting,

    /// <summary>Connected; waiting for the first heartbeat echo, which names the object storage.</summary>
    Heartbeat,

    /// <summary>Connecting the object storage the scheduler named and storing the serializer object.</summary>
    Storage,
}

/// <summary>The one-line reason a client could not connect ("could not reach the scheduler at …: …").</summary>
internal static class ConnectFailure
{
    /// <param name="stage">How far connecting got.</param>
    /// <param name="error">What ended it.</param>
    /// <param name="timedOut">Whether the connect timeout ran out.</param>
    /// <param name="transportReason">What the transport last saw go wrong (a refused or unreachable address), if anything.</param>
    /// <param name="connectTimeout">The timeout, for the message.</param>
    /// <param name="scheduler">The scheduler's address.</param>
    /// <param name="objectStorage">The object storage's address, once known.</param>
    public static ScalerClientException Describe(
        ConnectStage stage, Exception error, bool timedOut, string? transportReason, TimeSpan connectTimeout, ScalerAddress scheduler, ScalerAddress? objectStorage)
    {
        var seconds = connectTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var reason = stage switch
        {
            ConnectStage.Connecting when timedOut => $"{transportReason ?? "no connection"} (gave up after {seconds} s)",
            ConnectStage.Heartbeat when timedOut => $"connected, but no heartbeat answer within {seconds} s (is it a Scaler scheduler?)",
            ConnectStage.Storage when timedOut => $"the object storage at {objectStorage} it advertises did not answer within {seconds} s",
            ConnectStage.Storage => $"the object storage at {objectStorage} it advertises failed: {error.Message}",
            _ => error.Message,
        };
        return new ScalerClientException($"could not reach the scheduler at {scheduler}: {reason}", error);
    }
}
