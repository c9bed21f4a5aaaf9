using Microsoft.Extensions.Logging;

namespace Scaler.IO.Tls;

/// <summary>Log lines of mutual TLS (event IDs from 100, apart from the transport's own).</summary>
internal static partial class TlsLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "TLS peer at {Remote} refused: {Reason}")]
    public static partial void PeerRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "TLS server at {Address} refused: {Reason} (an impostor, or a certificate from another CA; retrying)")]
    public static partial void ServerRefused(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "YMQ peer '{Peer}' at {Remote} refused: identity already connected with another certificate ({Holder}); the new connection presented {Claimant}")]
    public static partial void IdentityTakeoverRefused(ILogger logger, string peer, string remote, string holder, string claimant);
}
