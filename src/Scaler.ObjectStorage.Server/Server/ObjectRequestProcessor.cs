using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Scaler.Identity;
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
/// <para>A request the store refuses (full, too many waiting requests) is answered <c>refused</c> with the reason when
/// the request says it reads refusals (Scaler.NET clients), and closes the peer otherwise: a reference peer fails on an
/// answer type it does not know, and a set it believes stored would leave its readers waiting for ever. Answers to
/// such requests also carry the object size limit, so those clients never send a set the transport cannot take.</para>
/// <para>Before a request touches the store, <see cref="IObjectAccessCheck{TPeer}"/> decides whether its peer may make
/// it (with certificates: <see cref="ObjectAccessPolicy"/>; without, everything is allowed). A refusal is answered as
/// the store's are, with the reason.</para>
/// <para>Single-threaded: one receive loop calls it.</para>
/// </remarks>
internal sealed class ObjectRequestProcessor<TPeer>
    where TPeer : notnull
{
    /// <summary>Longest reason text of a refusal, in bytes: a reason names a limit, never peer data.</summary>
    private const int MaxReasonBytes = 512;

    /// <summary>Least time between two sweeps for lost peers whose grace period has ended.</summary>
    private static readonly TimeSpan LostPeerSweepInterval = TimeSpan.FromSeconds(1);

    private readonly IObjectResponseSink<TPeer> _sink;
    private readonly ILogger _logger;
    private readonly RequestProcessorSettings _settings;
    private readonly ReaderOptions _readerOptions;
    private readonly RefusalLog _refusals;
    private readonly IObjectAccessCheck<TPeer> _access;

    /// <summary>Set and duplicate headers whose payload frame has not arrived yet, at most one per peer.</summary>
    private readonly Dictionary<TPeer, ObjectRequest> _awaitingPayload = [];

    /// <summary>Peers closed for a protocol error whose disconnection has not been reported yet: their frames are ignored.</summary>
    private readonly HashSet<TPeer> _closing = [];

    /// <summary>Peers whose connection broke while they had requests waiting, with when it broke.</summary>
    private readonly Dictionary<TPeer, long> _lostPeers = [];

    /// <summary>Reused list of what one store operation finished.</summary>
    private readonly List<StoreCompletion<TPeer>> _completions = [];

    private long _lastLostPeerSweep;

    public ObjectRequestProcessor(
        IObjectResponseSink<TPeer> sink, long maxObjectBytes, ILogger logger, ReaderOptions? readerOptions = null)
        : this(sink, RequestProcessorSettings.ObjectSizeOnly(maxObjectBytes), logger, readerOptions)
    {
    }

    public ObjectRequestProcessor(
        IObjectResponseSink<TPeer> sink,
        RequestProcessorSettings settings,
        ILogger logger,
        ReaderOptions? readerOptions = null,
        IObjectAccessCheck<TPeer>? access = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.MaxObjectBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.MaxObjectBytes, uint.MaxValue);
        _sink = sink;
        _settings = settings;
        _logger = logger;
        _readerOptions = readerOptions ?? ReaderOptions.Default;
        _refusals = new RefusalLog(logger, settings.TimeProvider);
        _access = access ?? OpenObjectAccess<TPeer>.Instance;
        Store = new ObjectStore<TPeer>(settings.StoreLimits);
        _lastLostPeerSweep = settings.TimeProvider.GetTimestamp();
    }

    public ObjectStore<TPeer> Store { get; }

    /// <summary>Number of peers with a header waiting for its payload frame.</summary>
    public int PeersAwaitingPayload => _awaitingPayload.Count;

    /// <summary>Number of peers whose connection broke while requests of theirs were waiting, within their grace period.</summary>
    public int LostPeers => _lostPeers.Count;

    /// <summary>
    /// Handles one frame from <paramref name="peer"/>. The frame's memory now belongs to the store if it is an object's
    /// payload: the caller must hand over a buffer nobody writes to again.
    /// </summary>
    public void OnFrame(TPeer peer, ReadOnlyMemory<byte> frame)
    {
        SweepLostPeers();
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
        SweepLostPeers();
        _closing.Remove(peer);
        _awaitingPayload.Remove(peer);
        _lostPeers.Remove(peer);
    }

    /// <summary>
    /// Called once a peer's connection ended. A header still waiting for its payload is dropped. When
    /// <paramref name="peerIsGone"/> (it closed in an orderly way or was closed for a protocol error) its waiting gets and
    /// duplicates are dropped too; otherwise they stay for the grace period, since a peer that lost its connection
    /// reconnects under the same identity and its answers are then routed to the new connection.
    /// </summary>
    public void OnPeerDisconnected(TPeer peer, bool peerIsGone)
    {
        SweepLostPeers();
        _closing.Remove(peer);
        if (_awaitingPayload.Remove(peer, out ObjectRequest pending))
        {
            ObjectStorageLog.DroppedUnfinishedRequest(_logger, Describe(peer), pending.Type.ToString(), pending.RequestId);
        }

        if (peerIsGone)
        {
            _lostPeers.Remove(peer);
            Forget(peer);
        }
        else if (_settings.LostPeerGracePeriod >= TimeSpan.Zero && Store.WaitingRequestCountOf(peer) > 0)
        {
            _lostPeers[peer] = _settings.TimeProvider.GetTimestamp();
        }
    }

    private void OnHeader(TPeer peer, in ObjectRequest request)
    {
        switch (request.Type)
        {
            case ObjectRequestType.SetObject:
                if (request.PayloadLength > (ulong)_settings.MaxObjectBytes)
                {
                    // The transport's frame limit is this same value, so the payload frame would cost the connection
                    // anyway; a refusal sent now could not be read before that. Clients that accept refusals learn
                    // the limit from their answers and refuse such a set themselves.
                    Close(peer, $"set of {request.PayloadLength} bytes exceeds the object size limit " +
                        $"(max_object_bytes {_settings.MaxObjectBytes})");
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
                if (!MayMake(peer, request))
                {
                    return;
                }

                StoreRefusal refusal = Store.Get(peer, request.RequestId, request.ObjectId, request.PayloadLength, _completions);
                if (refusal != StoreRefusal.None)
                {
                    Refuse(peer, request, refusal);
                    return;
                }

                AnswerCompletions(peer, request);
                return;

            case ObjectRequestType.DeleteObject:
                if (!MayMake(peer, request))
                {
                    return;
                }

                bool existed = Store.Delete(request.ObjectId);
                Answer(peer, request, existed ? ObjectResponseType.DelOK : ObjectResponseType.DelNotExists);
                return;

            case ObjectRequestType.InfoGetTotal:
                if (!MayMake(peer, request))
                {
                    return;
                }

                byte[] totals = Store.Totals.ToBytes();
                _sink.Send(peer, Response(request, ObjectResponseType.InfoGetTotalOK, (ulong)totals.Length), totals);
                return;

            default:
                // DecodeRequest rejects unknown types; this guards against a new enum member left unhandled here.
                Close(peer, $"unsupported request type {request.Type}");
                return;
        }
    }

    private void OnPayload(TPeer peer, in ObjectRequest request, ReadOnlyMemory<byte> payload)
    {
        StoreRefusal refusal;
        if (request.Type == ObjectRequestType.SetObject)
        {
            if (!MayMake(peer, request, content: payload.Span))
            {
                return;
            }

            refusal = Store.Set(request.ObjectId, payload, _completions);
            if (refusal != StoreRefusal.None)
            {
                Refuse(peer, request, refusal);
                return;
            }

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

        if (!MayMake(peer, request, sourceId))
        {
            return;
        }

        refusal = Store.Duplicate(peer, request.RequestId, request.ObjectId, sourceId, _completions);
        if (refusal != StoreRefusal.None)
        {
            Refuse(peer, request, refusal);
            return;
        }

        AnswerCompletions(peer, request);
    }

    /// <summary>
    /// Sends what the store finished. The completion of <paramref name="request"/> itself, when it is among them, is
    /// answered as an immediate answer to it (with the size limit when it accepts refusals); answers to requests that
    /// waited carry no limit, since the store does not keep whether they accepted refusals.
    /// </summary>
    private void AnswerCompletions(TPeer? requester = default, ObjectRequest request = default)
    {
        try
        {
            foreach (StoreCompletion<TPeer> done in _completions)
            {
                uint limit = request.AcceptsRefusal && done.RequestId == request.RequestId
                    && EqualityComparer<TPeer>.Default.Equals(done.Requester, requester)
                    ? AnnouncedMaxObjectBytes
                    : 0;
                if (done.Kind == StoreCompletionKind.GetServed)
                {
                    _sink.Send(
                        done.Requester,
                        new ObjectResponse(
                            done.ObjectId, (ulong)done.Payload.Length, done.RequestId, ObjectResponseType.GetOK, limit),
                        done.Payload);
                }
                else
                {
                    _sink.Send(
                        done.Requester,
                        new ObjectResponse(done.ObjectId, 0, done.RequestId, ObjectResponseType.DuplicateOK, limit),
                        ReadOnlyMemory<byte>.Empty);
                }
            }
        }
        finally
        {
            _completions.Clear();
        }
    }

    private uint AnnouncedMaxObjectBytes => (uint)_settings.MaxObjectBytes;

    /// <summary>An immediate answer to <paramref name="request"/>, with the size limit when it accepts refusals.</summary>
    private ObjectResponse Response(in ObjectRequest request, ObjectResponseType type, ulong payloadLength) =>
        new(request.ObjectId, payloadLength, request.RequestId, type, request.AcceptsRefusal ? AnnouncedMaxObjectBytes : 0);

    private void Answer(TPeer peer, in ObjectRequest request, ObjectResponseType type) =>
        _sink.Send(peer, Response(request, type, 0), ReadOnlyMemory<byte>.Empty);

    /// <summary>
    /// Answers <c>refused</c> with the reason to a peer that reads refusals; closes any other, since it would take the
    /// request as done (a reference client does not even wait for a set's answer).
    /// </summary>
    private void Refuse(TPeer peer, in ObjectRequest request, StoreRefusal refusal)
    {
        string reason = ReasonFor(peer, request, refusal);
        if (!request.AcceptsRefusal)
        {
            Close(peer, $"{request.Type} request {request.RequestId} refused, and the peer does not read refusals: {reason}");
            return;
        }

        _refusals.Refused(refusal, Describe(peer), $"{request.Type} request {request.RequestId}: {reason}");
        SendRefusal(peer, request, reason);
    }

    /// <summary>
    /// Asks the access check whether <paramref name="peer"/> may make <paramref name="request"/>; when not, answers
    /// <c>refused</c> with the reason (or closes a peer that does not read refusals) and returns false.
    /// </summary>
    private bool MayMake(TPeer peer, in ObjectRequest request, ObjectId source = default, ReadOnlySpan<byte> content = default)
    {
        if (_access.Check(peer, request.Type, request.ObjectId, source, content, out string reason) == ObjectAccessRefusal.None)
        {
            return true;
        }

        if (!request.AcceptsRefusal)
        {
            Close(peer, $"{request.Type} request {request.RequestId} not allowed, and the peer does not read refusals: {reason}");
            return false;
        }

        // Every Scaler.NET client and worker asks for the totals once per connection to learn the object size limit,
        // which the refusal carries: refusing that probe is routine, not worth a line.
        if (request.Type != ObjectRequestType.InfoGetTotal)
        {
            _access.Refused(peer, $"{request.Type} request {request.RequestId}: {reason}");
        }

        SendRefusal(peer, request, reason);
        return false;
    }

    private void SendRefusal(TPeer peer, in ObjectRequest request, string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        if (text.Length > MaxReasonBytes)
        {
            text = text[..MaxReasonBytes];
        }

        _sink.Send(peer, Response(request, ObjectResponseType.Refused, (ulong)text.Length), text);
    }

    private string ReasonFor(TPeer peer, in ObjectRequest request, StoreRefusal refusal)
    {
        StoreLimits limits = Store.Limits;
        return refusal switch
        {
            StoreRefusal.StoreFull when request.Type == ObjectRequestType.SetObject => string.Create(
                CultureInfo.InvariantCulture,
                $"the object storage is full: {request.PayloadLength} more bytes would take it past its limit of " +
                $"{limits.MaxTotalBytes} bytes (max_total_bytes); it holds {Store.ChargedBytes}"),
            StoreRefusal.StoreFull => string.Create(
                CultureInfo.InvariantCulture,
                $"the object storage is full: one more object ID would take it past its limit of " +
                $"{limits.MaxTotalBytes} bytes (max_total_bytes); it holds {Store.ChargedBytes}"),
            StoreRefusal.TooManyWaitingRequests => string.Create(
                CultureInfo.InvariantCulture,
                $"{Store.WaitingRequestCount} gets and duplicates already wait for objects that do not exist, the " +
                $"server's limit (MaxWaitingRequests {limits.MaxWaitingRequests})"),
            StoreRefusal.TooManyWaitingRequestsOfRequester => string.Create(
                CultureInfo.InvariantCulture,
                $"this peer already has {Store.WaitingRequestCountOf(peer)} gets and duplicates waiting for objects that " +
                $"do not exist, the limit per peer (MaxWaitingRequestsPerPeer {limits.MaxWaitingRequestsPerRequester})"),
            _ => refusal.ToString(),
        };
    }

    private void Close(TPeer peer, string reason)
    {
        ObjectStorageLog.ClosingPeer(_logger, Describe(peer), reason);
        _awaitingPayload.Remove(peer);
        _lostPeers.Remove(peer);
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

    /// <summary>
    /// Drops the waiting requests of peers that lost their connection longer than the grace period ago and did not come
    /// back: answers to them would go nowhere, and they hold places under the waiting limits. Runs at most once per
    /// <see cref="LostPeerSweepInterval"/>, on the next event after it; between events nothing can grow.
    /// </summary>
    private void SweepLostPeers()
    {
        if (_lostPeers.Count == 0)
        {
            return;
        }

        TimeProvider time = _settings.TimeProvider;
        long now = time.GetTimestamp();
        if (time.GetElapsedTime(_lastLostPeerSweep, now) < LostPeerSweepInterval)
        {
            return;
        }

        _lastLostPeerSweep = now;
        List<TPeer>? expired = null;
        foreach ((TPeer peer, long lostAt) in _lostPeers)
        {
            if (time.GetElapsedTime(lostAt, now) >= _settings.LostPeerGracePeriod)
            {
                (expired ??= []).Add(peer);
            }
        }

        foreach (TPeer peer in expired ?? [])
        {
            _lostPeers.Remove(peer);
            int forgotten = Store.ForgetRequester(peer);
            ObjectStorageLog.ForgotLostPeer(_logger, Describe(peer), forgotten, _settings.LostPeerGracePeriod.TotalSeconds);
        }
    }

    private static string Describe(TPeer peer) => peer.ToString() ?? "?";
}
