namespace Scaler.IO.Ymq;

/// <summary>Where a <see cref="YmqConnector"/> stands.</summary>
public enum YmqConnectorState
{
    /// <summary>Connecting or waiting to retry; frames sent now are queued.</summary>
    Connecting,

    /// <summary>Handshake done; frames flow.</summary>
    Connected,

    /// <summary>Closed for good: the peer left, retries ran out, or the connector was disposed.</summary>
    Closed,
}
