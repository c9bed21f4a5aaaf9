using System.Text;
using Microsoft.Extensions.Time.Testing;
using Scaler.Identity;
using Scaler.ObjectStorage.Server;
using Scaler.ObjectStorage.Store;
using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Server;

/// <summary>
/// Refusals (answered with the reason to peers that read them, a closed connection for the others), the size limit in
/// answers, and the grace period of peers that lost their connection.
/// </summary>
public sealed class ObjectRequestProcessorLimitsTests
{
    private const long PerId = StoreLimits.BookkeepingBytesPerObjectId;

    private static readonly ObjectId A = new(7, 7, 0, 1);
    private static readonly ObjectId B = new(7, 7, 0, 2);
    private static readonly ObjectId C = new(7, 7, 0, 3);

    private readonly RecordingSink _sink = new();
    private readonly ListLogger _log = new();
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void SetPastTheTotal_FromAPeerThatReadsRefusals_IsRefusedWithTheReason_AndThePeerIsServedAfter()
    {
        ObjectRequestProcessor<string> processor = Create(new StoreLimits(PerId + 10, 100, 100));
        Set(processor, "p", A, new byte[10], 1, acceptsRefusal: true);

        Set(processor, "p", B, new byte[5], 2, acceptsRefusal: true);

        (string peer, ObjectResponse response, ReadOnlyMemory<byte> payload) = _sink.Sent[^1];
        Assert.Equal("p", peer);
        Assert.Equal(new ObjectResponse(B, (ulong)payload.Length, 2, ObjectResponseType.Refused, 1024), response);
        string reason = Encoding.UTF8.GetString(payload.Span);
        Assert.Contains("full", reason, StringComparison.Ordinal);
        Assert.Contains($"limit of {PerId + 10} bytes (max_total_bytes)", reason, StringComparison.Ordinal);
        Assert.False(processor.Store.Contains(B));
        Assert.Empty(_sink.Closed);

        // The payload was consumed: the next frame is a header again, and the peer is served.
        processor.OnFrame("p", Header(A, ulong.MaxValue, 3, ObjectRequestType.GetObject, acceptsRefusal: true));
        Assert.Equal(ObjectResponseType.GetOK, _sink.Sent[^1].Response.Type);
        Assert.Single(_log.Lines, l => l.Message.Contains("Refused a request of peer p", StringComparison.Ordinal));
    }

    [Fact]
    public void SetPastTheTotal_FromAReferencePeer_ClosesIt_WithTheReasonLogged()
    {
        ObjectRequestProcessor<string> processor = Create(new StoreLimits(PerId + 10, 100, 100));
        Set(processor, "p", A, new byte[10], 1, acceptsRefusal: false);

        Set(processor, "ref", B, new byte[5], 2, acceptsRefusal: false);

        Assert.Equal("ref", Assert.Single(_sink.Closed));
        Assert.Empty(_sink.To("ref"));
        Assert.False(processor.Store.Contains(B));
        Assert.Contains(_log.Lines, l => l.Message.Contains("Closing peer ref", StringComparison.Ordinal)
            && l.Message.Contains("does not read refusals", StringComparison.Ordinal)
            && l.Message.Contains("max_total_bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void Answers_CarryTheSizeLimit_OnlyToRequestsThatReadRefusals()
    {
        ObjectRequestProcessor<string> processor = Create(StoreLimits.None);
        Set(processor, "ours", A, [1], 1, acceptsRefusal: true);
        Set(processor, "ref", B, [2], 1, acceptsRefusal: false);
        processor.OnFrame("ours", Header(A, ulong.MaxValue, 2, ObjectRequestType.GetObject, acceptsRefusal: true));
        processor.OnFrame("ours", Header(default, 0, 3, ObjectRequestType.InfoGetTotal, acceptsRefusal: true));
        processor.OnFrame("ref", Header(B, ulong.MaxValue, 2, ObjectRequestType.GetObject, acceptsRefusal: false));

        Assert.All(_sink.To("ours"), r => Assert.Equal(1024u, r.MaxObjectBytes));
        Assert.Equal(3, _sink.To("ours").Count());
        Assert.All(_sink.To("ref"), r => Assert.Equal(0u, r.MaxObjectBytes));
        Assert.Equal(2, _sink.To("ref").Count());
    }

    [Fact]
    public void GetPastTheWaitingLimitOfItsPeer_IsRefusedWithTheReason_OtherPeersStillWait()
    {
        ObjectRequestProcessor<string> processor = Create(new StoreLimits(long.MaxValue, 100, 1));
        processor.OnFrame("p", Header(A, ulong.MaxValue, 1, ObjectRequestType.GetObject, acceptsRefusal: true));

        processor.OnFrame("p", Header(B, ulong.MaxValue, 2, ObjectRequestType.GetObject, acceptsRefusal: true));
        processor.OnFrame("q", Header(B, ulong.MaxValue, 1, ObjectRequestType.GetObject, acceptsRefusal: true));

        (string peer, ObjectResponse response, ReadOnlyMemory<byte> payload) = Assert.Single(_sink.Sent);
        Assert.Equal(("p", 2UL, ObjectResponseType.Refused), (peer, response.ResponseId, response.Type));
        Assert.Contains("limit per peer (MaxWaitingRequestsPerPeer 1)", Encoding.UTF8.GetString(payload.Span), StringComparison.Ordinal);
        Assert.Equal(2, processor.Store.WaitingRequestCount);
    }

    [Fact]
    public void DuplicatePastTheWaitingLimit_FromAReferencePeer_ClosesIt()
    {
        ObjectRequestProcessor<string> processor = Create(new StoreLimits(long.MaxValue, 1, 1));
        processor.OnFrame("p", Header(A, ulong.MaxValue, 1, ObjectRequestType.GetObject, acceptsRefusal: false));

        processor.OnFrame("ref", Header(C, ObjectStorageWire.ObjectIdMessageLength, 1, ObjectRequestType.DuplicateObjectID, acceptsRefusal: false));
        processor.OnFrame("ref", ObjectStorageWire.EncodeObjectIdMessage(B));

        Assert.Equal("ref", Assert.Single(_sink.Closed));
        Assert.Equal(1, processor.Store.WaitingRequestCount);
    }

    [Fact]
    public void Refusals_AreLoggedOncePerIntervalWithTheCountLeftOut()
    {
        ObjectRequestProcessor<string> processor = Create(new StoreLimits(long.MaxValue, 0, 0));
        for (ulong i = 0; i < 5; i++)
        {
            processor.OnFrame("p", Header(A, ulong.MaxValue, i, ObjectRequestType.GetObject, acceptsRefusal: true));
        }

        Assert.Equal(5, _sink.Sent.Count(s => s.Response.Type == ObjectResponseType.Refused));
        Assert.Single(_log.Lines, l => l.Message.Contains("Refused", StringComparison.Ordinal));

        _time.Advance(RefusalLog.Interval);
        processor.OnFrame("p", Header(A, ulong.MaxValue, 9, ObjectRequestType.GetObject, acceptsRefusal: true));

        Assert.Equal(2, _log.Lines.Count(l => l.Message.Contains("Refused", StringComparison.Ordinal)));
        Assert.Contains(_log.Lines, l => l.Message.Contains("(4 more refusals of this kind", StringComparison.Ordinal));
    }

    [Fact]
    public void LostPeer_ThatDoesNotComeBack_LosesItsWaitingRequestsAfterTheGracePeriod()
    {
        ObjectRequestProcessor<string> processor = Create(StoreLimits.None, grace: TimeSpan.FromSeconds(60));
        processor.OnFrame("lost", Header(A, ulong.MaxValue, 1, ObjectRequestType.GetObject, acceptsRefusal: true));
        processor.OnPeerDisconnected("lost", peerIsGone: false);
        Assert.Equal(1, processor.LostPeers);

        _time.Advance(TimeSpan.FromSeconds(59));
        processor.OnFrame("other", Header(B, 0, 1, ObjectRequestType.DeleteObject, acceptsRefusal: true));
        Assert.Equal(1, processor.Store.WaitingRequestCount);

        _time.Advance(TimeSpan.FromSeconds(1));
        processor.OnFrame("other", Header(B, 0, 2, ObjectRequestType.DeleteObject, acceptsRefusal: true));

        Assert.Equal(0, processor.Store.WaitingRequestCount);
        Assert.Equal(0, processor.LostPeers);
        Assert.Contains(_log.Lines, l => l.Message.Contains("did not come back within 60 s", StringComparison.Ordinal));
    }

    [Fact]
    public void LostPeer_ThatComesBackInTime_KeepsItsWaitingRequests()
    {
        ObjectRequestProcessor<string> processor = Create(StoreLimits.None, grace: TimeSpan.FromSeconds(60));
        processor.OnFrame("p", Header(A, ulong.MaxValue, 1, ObjectRequestType.GetObject, acceptsRefusal: true));
        processor.OnPeerDisconnected("p", peerIsGone: false);

        _time.Advance(TimeSpan.FromSeconds(30));
        processor.OnPeerConnected("p");
        _time.Advance(TimeSpan.FromSeconds(60));
        Set(processor, "w", A, [1], 1, acceptsRefusal: true);

        Assert.Equal(ObjectResponseType.GetOK, Assert.Single(_sink.To("p")).Type);
        Assert.Equal(0, processor.LostPeers);
    }

    [Fact]
    public void LostPeer_WithNothingWaiting_IsNotTracked()
    {
        ObjectRequestProcessor<string> processor = Create(StoreLimits.None, grace: TimeSpan.FromSeconds(60));
        processor.OnFrame("p", Header(A, 0, 1, ObjectRequestType.DeleteObject, acceptsRefusal: true));

        processor.OnPeerDisconnected("p", peerIsGone: false);

        Assert.Equal(0, processor.LostPeers);
    }

    private ObjectRequestProcessor<string> Create(StoreLimits limits, TimeSpan? grace = null) =>
        new(_sink, new RequestProcessorSettings(1024, limits, grace ?? TimeSpan.FromSeconds(60), _time), _log);

    private static void Set(
        ObjectRequestProcessor<string> processor, string peer, ObjectId id, byte[] content, ulong requestId, bool acceptsRefusal)
    {
        processor.OnFrame(peer, Header(id, (ulong)content.Length, requestId, ObjectRequestType.SetObject, acceptsRefusal));
        processor.OnFrame(peer, content);
    }

    private static byte[] Header(ObjectId id, ulong payloadLength, ulong requestId, ObjectRequestType type, bool acceptsRefusal) =>
        ObjectStorageWire.EncodeRequest(new ObjectRequest(id, payloadLength, requestId, type, acceptsRefusal));
}
