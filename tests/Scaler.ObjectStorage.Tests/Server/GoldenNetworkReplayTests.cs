using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Server;

/// <summary>
/// Raw YMQ peers replay, over TCP, the bytes the reference's client, worker and scheduler sent to the reference object
/// storage, against our server; they must get back the reference's answers byte for byte.
/// </summary>
public sealed class GoldenNetworkReplayTests
{
    [Fact]
    public async Task Replay_OverTcp_AnswersLikeTheReference()
    {
        using CancellationTokenSource timeout = ServerFixture.Timeout();
        await using ServerFixture fixture = await ServerFixture.StartAsync(timeout.Token);
        IReadOnlyList<GoldenPeer> peers = GoldenPeer.LoadAll();

        // The client and the worker run at once (the client's get of a result waits for the worker's set); each keeps one
        // request in flight, as in the capture. The scheduler's clean-up follows.
        List<byte[]>[] answers = await Task.WhenAll(
            ReplayAsync(fixture, peers[0], timeout.Token),
            ReplayAsync(fixture, peers[1], timeout.Token));
        List<byte[]> scheduler = await ReplayAsync(fixture, peers[2], timeout.Token);

        AssertSameFrames(peers[0], answers[0]);
        AssertSameFrames(peers[1], answers[1]);
        AssertSameFrames(peers[2], scheduler);
    }

    private static async Task<List<byte[]>> ReplayAsync(ServerFixture fixture, GoldenPeer peer, CancellationToken cancellationToken)
    {
        RawYmqPeer raw = await fixture.ConnectRawAsync(peer.Identity, cancellationToken);
        Assert.Equal("ObjectStorageServer"u8.ToArray(), raw.RemoteIdentity);
        var received = new List<byte[]>();
        foreach (byte[][] request in peer.Requests)
        {
            foreach (byte[] frame in request)
            {
                await raw.SendFrameAsync(frame, cancellationToken);
            }

            byte[] header = await raw.ReceiveFrameAsync(cancellationToken) ?? throw new IOException($"{peer.Name}: closed");
            received.Add(header);
            ObjectResponse response = ObjectStorageWire.DecodeResponse(header);
            if (response.PayloadLength > 0)
            {
                Assert.True(response.Type is ObjectResponseType.GetOK or ObjectResponseType.InfoGetTotalOK);
                received.Add(await raw.ReceiveFrameAsync(cancellationToken) ?? throw new IOException($"{peer.Name}: closed"));
            }
        }

        return received;
    }

    private static void AssertSameFrames(GoldenPeer peer, List<byte[]> received)
    {
        Assert.Equal(peer.ExpectedAnswerFrames.Count, received.Count);
        for (int i = 0; i < received.Count; i++)
        {
            Assert.True(
                peer.ExpectedAnswerFrames[i].AsSpan().SequenceEqual(received[i]),
                $"{peer.Name}: answer frame {i} differs from the reference's");
        }
    }
}
