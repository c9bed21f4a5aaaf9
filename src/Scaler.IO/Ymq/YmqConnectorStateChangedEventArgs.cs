namespace Scaler.IO.Ymq;

/// <summary>
/// Raised by <see cref="YmqConnector.StateChanged"/>. On a disconnect, <see cref="Reason"/> says why and
/// <see cref="WillReconnect"/> whether the connector is going to try again.
/// </summary>
public sealed class YmqConnectorStateChangedEventArgs : EventArgs
{
    public YmqConnectorStateChangedEventArgs(
        YmqConnectorState state, PeerIdentity? remoteIdentity, YmqDisconnectReason? reason, bool willReconnect, Exception? error)
    {
        State = state;
        RemoteIdentity = remoteIdentity;
        Reason = reason;
        WillReconnect = willReconnect;
        Error = error;
    }

    public YmqConnectorState State { get; }

    public PeerIdentity? RemoteIdentity { get; }

    public YmqDisconnectReason? Reason { get; }

    public bool WillReconnect { get; }

    public Exception? Error { get; }
}
