using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Scaler.Identity;
using Scaler.ObjectStorage.Server;
using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Server;

public sealed class ObjectRequestProcessorTests
{
    private static readonly ObjectId A = new(7, 7, 0, 1);
    private static readonly ObjectId B = new(7, 7, 0, 2);
    private static readonly ObjectId C = new(7, 7, 0, 3);

    private readonly RecordingSink _sink = new();
    private readonly ListLogger _log = new();
    private readonly ObjectRequestProcessor<string> _processor;

    public ObjectRequestProcessorTests()
    {
        _processor = new ObjectRequestProcessor<string>(_sink, maxObjectBytes: 1024, _log);
    }

    [Fact]
    public void Set_HeaderThenPayload_StoresFrameWithoutCopyAndAnswersSetOK()
    {
        byte[] payload = [1, 2, 3];

        _processor.OnFrame("p", Header(A, 3, 10, ObjectRequestType.SetObject));
        Assert.Empty(_sink.Sent);
        _processor.OnFrame("p", payload);

        Assert.Equal(new ObjectResponse(A, 0, 10, ObjectResponseType.SetOK), Assert.Single(_sink.Sent).Response);
        Assert.True(_processor.Store.TryGetContent(A, out ReadOnlyMemory<byte> stored));
        Assert.True(MemoryMarshal.TryGetArray(stored, out ArraySegment<byte> segment));
        Assert.Same(payload, segment.Array);
    }

    [Fact]
    public void Set_EmptyObject_StillTakesAPayloadFrame()
    {
        _processor.OnFrame("p", Header(A, 0, 1, ObjectRequestType.SetObject));
        _processor.OnFrame("p", Array.Empty<byte>());

        Assert.Equal(ObjectResponseType.SetOK, Assert.Single(_sink.Sent).Response.Type);
        Assert.True(_processor.Store.Contains(A));
    }

    [Fact]
    public void Get_Existing_AnswersGetOKWithPayload()
    {
        Set("p", A, [4, 5, 6], 1);

        _processor.OnFrame("q", Header(A, ulong.MaxValue, 2, ObjectRequestType.GetObject));

        (string peer, ObjectResponse response, ReadOnlyMemory<byte> payload) = _sink.Sent[^1];
        Assert.Equal("q", peer);
        Assert.Equal(new ObjectResponse(A, 3, 2, ObjectResponseType.GetOK), response);
        Assert.Equal(new byte[] { 4, 5, 6 }, payload.ToArray());
    }

    [Fact]
    public void Get_LimitedLength_AnswersThatManyBytes()
    {
        Set("p", A, [4, 5, 6], 1);

        _processor.OnFrame("q", Header(A, 2, 2, ObjectRequestType.GetObject));

        Assert.Equal(new byte[] { 4, 5 }, _sink.Sent[^1].Payload.ToArray());
        Assert.Equal(2UL, _sink.Sent[^1].Response.PayloadLength);
    }

    [Fact]
    public void Get_BeforeSet_IsAnsweredWhenAnotherPeerSets()
    {
        _processor.OnFrame("reader", Header(A, ulong.MaxValue, 5, ObjectRequestType.GetObject));
        Assert.Empty(_sink.Sent);

        Set("writer", A, [9], 6);

        Assert.Equal(new ObjectResponse(A, 1, 5, ObjectResponseType.GetOK), Assert.Single(_sink.To("reader")));
        Assert.Equal(new ObjectResponse(A, 0, 6, ObjectResponseType.SetOK), Assert.Single(_sink.To("writer")));
    }

    [Fact]
    public void Delete_AnswersDelOKThenDelNotExists()
    {
        Set("p", A, [1], 1);

        _processor.OnFrame("p", Header(A, 0, 2, ObjectRequestType.DeleteObject));
        _processor.OnFrame("p", Header(A, 0, 3, ObjectRequestType.DeleteObject));

        Assert.Equal(
            [ObjectResponseType.SetOK, ObjectResponseType.DelOK, ObjectResponseType.DelNotExists],
            _sink.To("p").Select(r => r.Type).ToArray());
    }

    [Fact]
    public void Duplicate_ExistingSource_AnswersDuplicateOKAndLinks()
    {
        Set("p", A, [1, 2], 1);

        _processor.OnFrame("p", Header(B, ObjectStorageWire.ObjectIdMessageLength, 2, ObjectRequestType.DuplicateObjectID));
        _processor.OnFrame("p", ObjectStorageWire.EncodeObjectIdMessage(A));

        Assert.Equal(new ObjectResponse(B, 0, 2, ObjectResponseType.DuplicateOK), _sink.Sent[^1].Response);
        Assert.Equal(new ObjectStorageTotals(2, 1, 2), _processor.Store.Totals);
    }

    [Fact]
    public void Duplicate_MissingSource_IsAnsweredOnSetAndServesWaitingGets()
    {
        _processor.OnFrame("r", Header(C, ulong.MaxValue, 1, ObjectRequestType.GetObject));
        _processor.OnFrame("d", Header(C, ObjectStorageWire.ObjectIdMessageLength, 1, ObjectRequestType.DuplicateObjectID));
        _processor.OnFrame("d", ObjectStorageWire.EncodeObjectIdMessage(B));
        _processor.OnFrame("d", Header(B, ObjectStorageWire.ObjectIdMessageLength, 2, ObjectRequestType.DuplicateObjectID));
        _processor.OnFrame("d", ObjectStorageWire.EncodeObjectIdMessage(A));
        Assert.Empty(_sink.Sent);

        Set("w", A, [3], 1);

        Assert.Equal(
            [ObjectResponseType.DuplicateOK, ObjectResponseType.DuplicateOK],
            _sink.To("d").Select(r => r.Type).ToArray());
        Assert.Equal(new ObjectResponse(C, 1, 1, ObjectResponseType.GetOK), Assert.Single(_sink.To("r")));
    }

    [Fact]
    public void InfoGetTotal_AnswersThreeLittleEndianCounts()
    {
        Set("p", A, [1, 2, 3], 1);
        Set("p", B, [1, 2, 3], 2);
        Set("p", C, [4], 3);

        _processor.OnFrame("p", Header(default, 0, 4, ObjectRequestType.InfoGetTotal));

        (_, ObjectResponse response, ReadOnlyMemory<byte> payload) = _sink.Sent[^1];
        Assert.Equal(new ObjectResponse(default, 24, 4, ObjectResponseType.InfoGetTotalOK), response);
        Assert.Equal(3UL, BinaryPrimitives.ReadUInt64LittleEndian(payload.Span));
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(payload.Span[8..]));
        Assert.Equal(4UL, BinaryPrimitives.ReadUInt64LittleEndian(payload.Span[16..]));
    }

    [Fact]
    public void Pairing_IsPerPeer_WhenPeersInterleave()
    {
        _processor.OnFrame("p", Header(A, 2, 1, ObjectRequestType.SetObject));
        _processor.OnFrame("q", Header(B, 3, 1, ObjectRequestType.SetObject));
        _processor.OnFrame("q", new byte[] { 2, 2, 2 });
        _processor.OnFrame("p", new byte[] { 1, 1 });

        Assert.True(_processor.Store.TryGetContent(A, out ReadOnlyMemory<byte> a));
        Assert.True(_processor.Store.TryGetContent(B, out ReadOnlyMemory<byte> b));
        Assert.Equal(new byte[] { 1, 1 }, a.ToArray());
        Assert.Equal(new byte[] { 2, 2, 2 }, b.ToArray());
        Assert.Equal(0, _processor.PeersAwaitingPayload);
    }

    [Fact]
    public void Payload_OfWrongLength_DropsPendingSetAndReadsFrameAsHeader()
    {
        _processor.OnFrame("p", Header(A, 5, 1, ObjectRequestType.SetObject));

        // The peer reconnected and lost the payload: its next frame is a new header (a get of B).
        _processor.OnFrame("p", Header(B, ulong.MaxValue, 2, ObjectRequestType.GetObject));

        Assert.False(_processor.Store.Contains(A));
        Assert.Equal(1, _processor.Store.WaitingRequestCount);
        Assert.Empty(_sink.Closed);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("expected a payload frame of 5 bytes"));

        Set("q", B, [8], 1);
        Assert.Equal(new ObjectResponse(B, 1, 2, ObjectResponseType.GetOK), Assert.Single(_sink.To("p")));
    }

    [Fact]
    public void Payload_OfWrongLengthThatIsNoHeader_ClosesPeer()
    {
        _processor.OnFrame("p", Header(A, 5, 1, ObjectRequestType.SetObject));

        _processor.OnFrame("p", new byte[] { 1, 2, 3 });

        Assert.False(_processor.Store.Contains(A));
        Assert.Equal("p", Assert.Single(_sink.Closed));
    }

    [Fact]
    public void MalformedHeader_ClosesThatPeerOnly()
    {
        _processor.OnFrame("q", Header(A, ulong.MaxValue, 1, ObjectRequestType.GetObject));

        _processor.OnFrame("bad", new byte[] { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 });

        Assert.Equal("bad", Assert.Single(_sink.Closed));
        Assert.Contains(_log.Lines, l => l.Message.Contains("malformed request header"));
        Set("w", A, [1], 1);
        Assert.Single(_sink.To("q"));
    }

    [Fact]
    public void ClosedPeer_FramesIgnoredUntilItReconnects()
    {
        _processor.OnFrame("bad", new byte[8]);
        _processor.OnFrame("bad", Header(A, 0, 1, ObjectRequestType.DeleteObject));
        Assert.Empty(_sink.Sent);

        _processor.OnPeerDisconnected("bad", peerIsGone: true);
        _processor.OnPeerConnected("bad");
        _processor.OnFrame("bad", Header(A, 0, 2, ObjectRequestType.DeleteObject));

        Assert.Equal(new ObjectResponse(A, 0, 2, ObjectResponseType.DelNotExists), Assert.Single(_sink.Sent).Response);
    }

    [Fact]
    public void UnknownRequestType_ClosesPeer()
    {
        _processor.OnFrame("p", Header(A, 0, 1, (ObjectRequestType)77));

        Assert.Equal("p", Assert.Single(_sink.Closed));
    }

    [Fact]
    public void Set_OverMaxObjectBytes_ClosesPeerBeforeThePayload()
    {
        _processor.OnFrame("p", Header(A, 1025, 1, ObjectRequestType.SetObject));

        Assert.Equal("p", Assert.Single(_sink.Closed));
        Assert.Contains(_log.Lines, l => l.Message.Contains("(max_object_bytes 1024)"));
        Assert.Equal(0, _processor.PeersAwaitingPayload);
    }

    [Fact]
    public void Duplicate_WrongAnnouncedLength_ClosesPeer()
    {
        _processor.OnFrame("p", Header(B, 32, 1, ObjectRequestType.DuplicateObjectID));

        Assert.Equal("p", Assert.Single(_sink.Closed));
    }

    [Fact]
    public void Duplicate_PayloadThatIsNoObjectIdMessage_ClosesPeer()
    {
        _processor.OnFrame("p", Header(B, 48, 1, ObjectRequestType.DuplicateObjectID));

        byte[] garbage = new byte[48];
        garbage.AsSpan().Fill(0xff);
        _processor.OnFrame("p", garbage);

        Assert.Equal("p", Assert.Single(_sink.Closed));
        Assert.False(_processor.Store.Contains(B));
    }

    [Fact]
    public void ClosingPeer_ForgetsItsWaitingRequests()
    {
        _processor.OnFrame("p", Header(A, ulong.MaxValue, 1, ObjectRequestType.GetObject));

        _processor.OnFrame("p", new byte[8]);

        Assert.Equal(0, _processor.Store.WaitingRequestCount);
    }

    [Fact]
    public void Disconnect_MidSet_DropsPendingSetWithLogLine()
    {
        _processor.OnFrame("p", Header(A, 80, 1, ObjectRequestType.SetObject));

        _processor.OnPeerDisconnected("p", peerIsGone: false);
        _processor.OnPeerConnected("p");
        // An 80-byte frame: without the reset it would be taken as A's payload.
        _processor.OnFrame("p", Header(B, 0, 2, ObjectRequestType.DeleteObject));

        Assert.False(_processor.Store.Contains(A));
        Assert.Equal(ObjectResponseType.DelNotExists, Assert.Single(_sink.Sent).Response.Type);
        Assert.Contains(_log.Lines, l => l.Message.Contains("left before sending the payload"));
    }

    [Fact]
    public void Disconnect_LostConnection_KeepsWaitingRequests()
    {
        _processor.OnFrame("p", Header(A, ulong.MaxValue, 1, ObjectRequestType.GetObject));

        _processor.OnPeerDisconnected("p", peerIsGone: false);
        Set("w", A, [1], 1);

        Assert.Single(_sink.To("p"));
    }

    [Fact]
    public void Disconnect_PeerGone_ForgetsWaitingRequests()
    {
        _processor.OnFrame("p", Header(A, ulong.MaxValue, 1, ObjectRequestType.GetObject));

        _processor.OnPeerDisconnected("p", peerIsGone: true);
        Set("w", A, [1], 1);

        Assert.Empty(_sink.To("p"));
    }

    private void Set(string peer, ObjectId id, byte[] content, ulong requestId)
    {
        _processor.OnFrame(peer, Header(id, (ulong)content.Length, requestId, ObjectRequestType.SetObject));
        _processor.OnFrame(peer, content);
    }

    private static byte[] Header(ObjectId id, ulong payloadLength, ulong requestId, ObjectRequestType type) =>
        ObjectStorageWire.EncodeRequest(new ObjectRequest(id, payloadLength, requestId, type));
}
