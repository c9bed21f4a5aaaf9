using Scaler.ObjectStorage.Server;
using Scaler.ObjectStorage.Wire;

namespace Scaler.ObjectStorage.Tests.Support;

/// <summary>Keeps what the processor answers and which peers it closes.</summary>
internal sealed class RecordingSink : IObjectResponseSink<string>
{
    public List<(string Peer, ObjectResponse Response, ReadOnlyMemory<byte> Payload)> Sent { get; } = [];

    public List<string> Closed { get; } = [];

    public void Send(string peer, in ObjectResponse response, ReadOnlyMemory<byte> payload)
    {
        Assert.Equal(response.PayloadLength, (ulong)payload.Length);
        Sent.Add((peer, response, payload));
    }

    public void ClosePeer(string peer) => Closed.Add(peer);

    public IEnumerable<ObjectResponse> To(string peer) => Sent.Where(s => s.Peer == peer).Select(s => s.Response);
}
