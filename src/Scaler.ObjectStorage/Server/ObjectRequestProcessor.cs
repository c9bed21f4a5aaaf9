using Microsoft.Extensions.Logging;
using Scaler.ObjectStorage.Store;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// Turns the frames of each peer into store operations and answers, independent of the transport.
/// </summary>
/// <remarks>
/// <para>Per peer, a frame is either a request header or the payload of the set or duplicate header before it. A
/// payload frame whose length is not the announced one means the peer lost the rest of that request (it reconnected
/// after a partial send): the pending request is dropped with a log line and the frame is read as a new header, so a
/// header is never stored as an object's content.</para>
/// <para>A frame that does not decode as a header, an unknown request type, a set over the size limit or a duplicate
/// whose payload is not an object ID closes that peer only.</para>
/// <para>Single-threaded: one receive loop calls it.</para>
/// </remarks>
internal sealed class ObjectRequestProcessor<TPeer>
    where TPeer : notnull
{
    private readonly IObjectResponseSink<TPeer> _sink;
    private readonly ILogger _logger;
    private readonly long _maxObjectBytes;
    private readonly ReaderOptions _readerOptions;

    /// <summary>Set and duplicate headers whose payload frame has not arrived yet, at most one per peer.</summary>
    private readonly Dictionary<TPeer, ObjectRequest> _awaitingPayload = [];

    /// <summary>Peers closed for a protocol error whose disconnection has not been reported yet: their frames are ignored.</summary>
    private readonly HashSet<TPeer> _closing = [];

    /// <summary>Reused list of what one store operation finished.</summary>
    private readonly List<StoreCompletion<TPeer>> _completions = [];

    public ObjectRequestProcessor(
        IObjectResponseSink<TPeer> sink, long maxObjectBytes, ILogger logger, ReaderOptions? readerOptions = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxObjectBytes);
        _sink = sink;
        _maxObjectBytes = maxObjectBytes;
        _logger = logger;
        _readerOptions = readerOptions ?? ReaderOptions.Default;
    }

    public ObjectStore<TPeer> Store { get; } = new();

    /// <summary>Number of peers with a header waiting for its payload frame.</summary>
    public int PeersAwaitingPayload => _awaitingPayload.Count;

    /// <summary>
    /// Handles one frame from <paramref name="peer"/>. The frame's memory now belongs to the store if it is an object's
    /// payload: the caller must hand over a buffer nobody writes to again.
    /// </summary>
    public void OnFrame(TPeer peer, ReadOnlyMemory<byte> frame)
    {
        if (_closing.Contains(peer))
        {
            return;
        }

        if (_awaitingPayload.Remove(peer, out ObjectRequest pending))
        {
            if ((ulong)frame.Length == pending.PayloadLength)
            {
                OnPayload(peer, pending, frame);
                return;
            }

            ObjectStorageLog.DroppedPartialRequest(
                _logger, Describe(peer), pending.Type.ToString(), pending.RequestId, pending.PayloadLength, frame.Length);
        }

        ObjectRequest request;
        try
        {
            request = ObjectStorageWire.DecodeRequest(frame.Span, _readerOptions);
        }
        catch (ProtocolException error)
        {
            Close(peer, $"malformed request header ({frame.Length} bytes): {error.Message}");
            return;
        }

        OnHeader(peer, request);
    }

    /// <summary>Called once a peer's connection came up: a fresh connection starts with a header.</summary>
    public void OnPeerConnected(TPeer peer)
    {
        _closing.Remove(peer);
        _awaitingPayload.Remove(peer);
    }

    /// <summary>
    /// Called once a peer's connection ended. A header still waiting for its payload is dropped. When
    /// <paramref name="peerIsGone"/> (it closed in an orderly way or was closed for a protocol error) its waiting gets and
    /// duplicates are dropped too; otherwise they stay, since a peer that lost its connection reconnects under the same
    /// identity and its answers are then routed to the new connection.
    /// </summary>
    public void OnPeerDisconnected(TPeer peer, bool peerIsGone)
    {
        _closing.Remove(peer);
        if (_awaitingPayload.Remove(peer, out ObjectRequest pending))
        {
            ObjectStorageLog.DroppedUnfinishedRequest(_logger, Describe(peer), pending.Type.ToString(), pending.RequestId);
        }

        if (peerIsGone)
        {
            Forget(peer);
        }
    }

    private void OnHeader(TPeer peer, in ObjectRequest request)
    {
        switch (request.Type)
        {
            case ObjectRequestType.SetObject:
                if (request.PayloadLength > (ulong)_maxObjectBytes)
                {
                    Close(peer, $"set of {request.PayloadLength} bytes exceeds MaxObjectBytes ({_maxObjectBytes})");
                    return;
                }

                _awaitingPayload[peer] = request;
                return;

            case ObjectRequestType.DuplicateObjectID:
                if (request.PayloadLength != ObjectStorageWire.ObjectIdMessageLength)
                {
                    Close(peer, $"duplicate announces a {request.PayloadLength}-byte payload, " +
                        $"an ObjectID message is {ObjectStorageWire.ObjectIdMessageLength}");
                    return;
                }

                _awaitingPayload[peer] = request;
                return;

            case ObjectRequestType.GetObject:
                Store.Get(peer, request.RequestId, request.ObjectId, request.PayloadLength, _completions);
                AnswerCompletions();
                return;

            case ObjectRequestType.DeleteObject:
                bool existed = Store.Delete(request.ObjectId);
                Answer(peer, request, existed ? ObjectResponseType.DelOK : ObjectResponseType.DelNotExists);
                return;

            case ObjectRequestType.InfoGetTotal:
                byte[] totals = Store.Totals.ToBytes();
                _sink.Send(
                    peer,
                    new ObjectResponse(request.ObjectId, (ulong)totals.Length, request.RequestId, ObjectResponseType.InfoGetTotalOK),
                    totals);
                return;

            default:
                // DecodeRequest rejects unknown types; this guards against a new enum member left unhandled here.
                Close(peer, $"unsupported request type {request.Type}");
                return;
        }
    }

    private void OnPayload(TPeer peer, in ObjectRequest request, ReadOnlyMemory<byte> payload)
    {
        if (request.Type == ObjectRequestType.SetObject)
        {
            Store.Set(request.ObjectId, payload, _completions);
            AnswerCompletions();
            Answer(peer, request, ObjectResponseType.SetOK);
            return;
        }

        ObjectId sourceId;
        try
        {
            sourceId = ObjectStorageWire.DecodeObjectIdMessage(payload.Span, _readerOptions);
        }
        catch (ProtocolException error)
        {
            Close(peer, $"duplicate payload is not an ObjectID message: {error.Message}");
            return;
        }

        Store.Duplicate(peer, request.RequestId, request.ObjectId, sourceId, _completions);
        AnswerCompletions();
    }

    private void AnswerCompletions()
    {
        try
        {
            foreach (StoreCompletion<TPeer> done in _completions)
            {
                if (done.Kind == StoreCompletionKind.GetServed)
                {
                    _sink.Send(
                        done.Requester,
                        new ObjectResponse(done.ObjectId, (ulong)done.Payload.Length, done.RequestId, ObjectResponseType.GetOK),
                        done.Payload);
                }
                else
                {
                    _sink.Send(
                        done.Requester,
                        new ObjectResponse(done.ObjectId, 0, done.RequestId, ObjectResponseType.DuplicateOK),
                        ReadOnlyMemory<byte>.Empty);
                }
            }
        }
        finally
        {
            _completions.Clear();
        }
    }

    private void Answer(TPeer peer, in ObjectRequest request, ObjectResponseType type) =>
        _sink.Send(peer, new ObjectResponse(request.ObjectId, 0, request.RequestId, type), ReadOnlyMemory<byte>.Empty);

    private void Close(TPeer peer, string reason)
    {
        ObjectStorageLog.ClosingPeer(_logger, Describe(peer), reason);
        _awaitingPayload.Remove(peer);
        _closing.Add(peer);
        Forget(peer);
        _sink.ClosePeer(peer);
    }

    private void Forget(TPeer peer)
    {
        int forgotten = Store.ForgetRequester(peer);
        if (forgotten > 0)
        {
            ObjectStorageLog.ForgotWaitingRequests(_logger, Describe(peer), forgotten);
        }
    }

    private static string Describe(TPeer peer) => peer.ToString() ?? "?";
}
