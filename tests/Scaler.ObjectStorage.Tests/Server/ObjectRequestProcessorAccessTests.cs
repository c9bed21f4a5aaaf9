using System.Text;
using Scaler.IO.Tls;
using Scaler.Identity;
using Scaler.ObjectStorage.Server;
using Scaler.ObjectStorage.Tests.Support;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Tests.Server;

/// <summary>
/// The request processor with an access check (a server with certificates): a refused request is answered with the
/// reason and never reaches the store; a peer that cannot read refusals is closed.
/// </summary>
public sealed class ObjectRequestProcessorAccessTests
{
    private const string Alice = "Client|alice";
    private const string Bob = "Client|bob";
    private const string Worker = "worker-1";
    private const string Scheduler = "scheduler";

    private static readonly ObjectId AliceObject = ObjectId.Create(RoleTableAccess.OwnerOf(Alice), 1);
    private static readonly ObjectId BobObject = ObjectId.Create(RoleTableAccess.OwnerOf(Bob), 1);

    private readonly RecordingSink _sink = new();
    private readonly ListLogger _log = new();
    private readonly RoleTableAccess _access = new(new Dictionary<string, ScalerRoles>
    {
        [Alice] = ScalerRoles.Client,
        [Bob] = ScalerRoles.Client,
        [Worker] = ScalerRoles.Worker,
        [Scheduler] = ScalerRoles.Server,
    });

    private readonly ObjectRequestProcessor<string> _processor;

    public ObjectRequestProcessorAccessTests()
    {
        _processor = new ObjectRequestProcessor<string>(
            _sink, RequestProcessorSettings.ObjectSizeOnly(1024), _log, access: _access);
    }

    [Fact]
    public void GetAndDelete_OfAnotherClientsObject_AreRefusedWithTheReason_AndTheObjectStays()
    {
        Set(Alice, AliceObject, [1, 2, 3], 1);

        _processor.OnFrame(Bob, Header(AliceObject, ulong.MaxValue, 1, ObjectRequestType.GetObject));
        _processor.OnFrame(Bob, Header(AliceObject, 0, 2, ObjectRequestType.DeleteObject));

        var answers = _sink.Sent.Where(s => s.Peer == Bob).ToList();
        Assert.Equal([ObjectResponseType.Refused, ObjectResponseType.Refused], answers.Select(a => a.Response.Type));
        Assert.All(answers, a => Assert.Contains(
            $"object {AliceObject} belongs to another owner", Encoding.UTF8.GetString(a.Payload.Span), StringComparison.Ordinal));
        Assert.True(_processor.Store.Contains(AliceObject));
        Assert.Equal(0, _processor.Store.WaitingRequestCount);
        Assert.Empty(_sink.Closed);
        (string peer, string what) = Assert.Single(_access.Logged);
        Assert.Equal(Bob, peer);
        Assert.StartsWith("GetObject request 1: ", what, StringComparison.Ordinal);
    }

    [Fact]
    public void SetUnderAnotherOwner_IsRefused_ItsPayloadConsumed_AndTheNextRequestServed()
    {
        Set(Alice, AliceObject, [1], 1);

        Set(Bob, AliceObject, [6, 6, 6], 1);
        _processor.OnFrame(Bob, Header(BobObject, 0, 2, ObjectRequestType.SetObject));
        _processor.OnFrame(Bob, Array.Empty<byte>());

        Assert.Equal([ObjectResponseType.Refused, ObjectResponseType.SetOK], _sink.To(Bob).Select(r => r.Type));
        Assert.True(_processor.Store.TryGetContent(AliceObject, out ReadOnlyMemory<byte> content));
        Assert.Equal([1], content.ToArray());
        Assert.True(_processor.Store.Contains(BobObject));
    }

    [Fact]
    public void Duplicate_FromAnotherOwnersSource_IsRefused_AndWaitsForNothing()
    {
        ObjectId bobCopy = ObjectId.Create(RoleTableAccess.OwnerOf(Bob), 2);

        _processor.OnFrame(Bob, Header(bobCopy, ObjectStorageWire.ObjectIdMessageLength, 1, ObjectRequestType.DuplicateObjectID));
        _processor.OnFrame(Bob, ObjectStorageWire.EncodeObjectIdMessage(AliceObject));

        (_, ObjectResponse response, ReadOnlyMemory<byte> reason) = Assert.Single(_sink.Sent);
        Assert.Equal(ObjectResponseType.Refused, response.Type);
        Assert.Contains($"the source object {AliceObject} belongs to another owner", Encoding.UTF8.GetString(reason.Span), StringComparison.Ordinal);
        Assert.Equal(0, _processor.Store.WaitingRequestCount);
    }

    [Fact]
    public void Worker_GetsAndSetsAnyOwnersObjects_ButCannotDelete_WhichTheSchedulerCan()
    {
        Set(Alice, AliceObject, [1, 2], 1);
        ObjectId result = ObjectId.Create(RoleTableAccess.OwnerOf(Alice), 99);

        _processor.OnFrame(Worker, Header(AliceObject, ulong.MaxValue, 1, ObjectRequestType.GetObject));
        Set(Worker, result, [7], 2);
        _processor.OnFrame(Worker, Header(AliceObject, 0, 3, ObjectRequestType.DeleteObject));
        _processor.OnFrame(Scheduler, Header(AliceObject, 0, 1, ObjectRequestType.DeleteObject));

        Assert.Equal(
            [ObjectResponseType.GetOK, ObjectResponseType.SetOK, ObjectResponseType.Refused],
            _sink.To(Worker).Select(r => r.Type));
        Assert.Equal(ObjectResponseType.DelOK, Assert.Single(_sink.To(Scheduler)).Type);
        Assert.False(_processor.Store.Contains(AliceObject));
        Assert.True(_processor.Store.Contains(result));
    }

    [Fact]
    public void Totals_RefusedToAClient_CarryTheSizeLimit_AndAreNotLogged()
    {
        _processor.OnFrame(Alice, Header(default, 0, 1, ObjectRequestType.InfoGetTotal));
        _processor.OnFrame(Scheduler, Header(default, 0, 1, ObjectRequestType.InfoGetTotal));

        ObjectResponse refused = Assert.Single(_sink.To(Alice));
        Assert.Equal((ObjectResponseType.Refused, 1024u), (refused.Type, refused.MaxObjectBytes));
        Assert.Equal(ObjectResponseType.InfoGetTotalOK, Assert.Single(_sink.To(Scheduler)).Type);
        Assert.Empty(_access.Logged);
    }

    [Fact]
    public void ARefusedRequest_OfAPeerThatDoesNotReadRefusals_ClosesIt()
    {
        Set(Alice, AliceObject, [1], 1);

        _processor.OnFrame(Bob, Header(AliceObject, ulong.MaxValue, 1, ObjectRequestType.GetObject, acceptsRefusal: false));

        Assert.Equal(Bob, Assert.Single(_sink.Closed));
        Assert.Empty(_sink.To(Bob));
        Assert.Contains(_log.Lines, l => l.Message.Contains("Closing peer Client|bob", StringComparison.Ordinal)
            && l.Message.Contains("belongs to another owner", StringComparison.Ordinal));
    }

    private void Set(string peer, ObjectId id, byte[] content, ulong requestId)
    {
        _processor.OnFrame(peer, Header(id, (ulong)content.Length, requestId, ObjectRequestType.SetObject));
        _processor.OnFrame(peer, content);
    }

    private static byte[] Header(ObjectId id, ulong payloadLength, ulong requestId, ObjectRequestType type, bool acceptsRefusal = true) =>
        ObjectStorageWire.EncodeRequest(new ObjectRequest(id, payloadLength, requestId, type, acceptsRefusal));
}
