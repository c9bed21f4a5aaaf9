using Scaler.ObjectStorage.Wire;

namespace Scaler.ObjectStorage.Server;

/// <summary>Where the request processor puts its answers; the server turns them into frames on a transport.</summary>
internal interface IObjectResponseSink<in TPeer>
{
    /// <summary>
    /// Sends <paramref name="response"/> to <paramref name="peer"/>, followed by a frame holding
    /// <paramref name="payload"/> when <see cref="ObjectResponse.PayloadLength"/> is not zero. The payload may be a
    /// slice of stored content: it must be sent as is and never written to.
    /// </summary>
    void Send(TPeer peer, in ObjectResponse response, ReadOnlyMemory<byte> payload);

    /// <summary>Closes the connection of a peer that broke the protocol.</summary>
    void ClosePeer(TPeer peer);
}
