using Microsoft.Extensions.Logging.Abstractions;
using Scaler.ObjectStorage.Server;
using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;

namespace Scaler.ObjectStorage.Tests.Server;

/// <summary>
/// Feeds the requests the reference's client, worker and scheduler sent to the reference object storage into our
/// processor, and expects the answer frames the reference sent back, byte for byte.
/// </summary>
public sealed class GoldenReplayTests
{
    [Fact]
    public void Replay_AnswersEveryPeerExactlyLikeTheReference()
    {
        IReadOnlyList<GoldenPeer> peers = GoldenPeer.LoadAll();
        var sink = new FrameSink();
        var processor = new ObjectRequestProcessor<string>(sink, 1 << 20, NullLogger.Instance);

        // Like the real run, each peer has one request in flight: it waits for the answer before the next request
        // (a get of a result waits until the worker sets it). The client and the worker go in turns; the scheduler's
        // clean-up comes last, as it did.
        RunConcurrently(processor, sink, peers[0], peers[1]);
        RunConcurrently(processor, sink, peers[2]);

        foreach (GoldenPeer peer in peers)
        {
            List<byte[]> answers = sink.FramesTo(peer.Name);
            Assert.Equal(peer.ExpectedAnswerFrames.Count, answers.Count);
            for (int i = 0; i < answers.Count; i++)
            {
                Assert.True(
                    peer.ExpectedAnswerFrames[i].AsSpan().SequenceEqual(answers[i]),
                    $"{peer.Name}: answer frame {i} differs from the reference's");
            }
        }
    }

    private static void RunConcurrently(ObjectRequestProcessor<string> processor, FrameSink sink, params GoldenPeer[] peers)
    {
        var next = new int[peers.Length];
        var answered = new int[peers.Length];
        bool progress = true;
        while (progress)
        {
            progress = false;
            for (int p = 0; p < peers.Length; p++)
            {
                GoldenPeer peer = peers[p];
                bool idle = sink.AnswersTo(peer.Name) == answered[p];
                if (next[p] > 0 && idle)
                {
                    continue; // Its last request is still waiting.
                }

                if (next[p] > 0)
                {
                    answered[p] = sink.AnswersTo(peer.Name);
                }

                if (next[p] < peer.Requests.Count)
                {
                    foreach (byte[] frame in peer.Requests[next[p]++])
                    {
                        processor.OnFrame(peer.Name, frame);
                    }

                    progress = true;
                }
            }
        }

        for (int p = 0; p < peers.Length; p++)
        {
            Assert.True(next[p] == peers[p].Requests.Count, $"{peers[p].Name} stalled at request {next[p]}");
        }
    }

    /// <summary>Encodes answers into frames exactly as the server does.</summary>
    private sealed class FrameSink : IObjectResponseSink<string>
    {
        private readonly List<(string Peer, byte[] Frame)> _frames = [];
        private readonly Dictionary<string, int> _answers = [];

        public void Send(string peer, in ObjectResponse response, ReadOnlyMemory<byte> payload)
        {
            _frames.Add((peer, ObjectStorageWire.EncodeResponse(response)));
            if (response.PayloadLength > 0)
            {
                _frames.Add((peer, payload.ToArray()));
            }

            _answers[peer] = _answers.GetValueOrDefault(peer) + 1;
        }

        public void ClosePeer(string peer) => throw new InvalidOperationException($"golden peer {peer} was closed");

        public int AnswersTo(string peer) => _answers.GetValueOrDefault(peer);

        public List<byte[]> FramesTo(string peer) => _frames.Where(f => f.Peer == peer).Select(f => f.Frame).ToList();
    }
}
