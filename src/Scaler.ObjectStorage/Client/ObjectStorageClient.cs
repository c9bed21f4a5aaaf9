using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.Identity;
using Scaler.ObjectStorage.Wire;
using Scaler.Protocol;
using Scaler.Protocol.Messages;

namespace Scaler.ObjectStorage.Client;

/// <summary>
/// An asynchronous client of an object storage server (ours or the reference's). Any number of requests may be in
/// flight at once; answers are matched to requests by request ID.
/// </summary>
/// <remarks>
/// Connection loss: the transport reconnects by itself, but frames in flight on the broken connection may be lost, so
/// every request still waiting for its answer when the connection breaks fails with <see cref="ObjectStorageException"/>
/// (it may or may not have been carried out; sets, gets and duplicates can simply be retried). Requests made after that
/// are sent on the new connection. Once the connection is closed for good (the server went away, or reconnecting gave
/// up), every waiting and later request fails with <see cref="ObjectStorageException"/>.
/// <para>Refusals: every request says it reads <c>refused</c> answers, which a Scaler.NET server sends with the reason
/// (store full, too many waiting requests); the request then fails with an <see cref="ObjectStorageException"/> whose
/// <see cref="ObjectStorageException.IsRefusal"/> is true, and the connection stays up. The server's answers also carry
/// its object size limit: before the first set on each connection the client asks for it (one <c>infoGetTotal</c>),
/// and it refuses a larger set itself, since the server's transport cannot read such a payload and would drop the
/// connection. A reference server says nothing and nothing is checked.</para>
/// </remarks>
public sealed class ObjectStorageClient : IAsyncDisposable
{
    private readonly YmqConnector _connector;
    private readonly ILogger _logger;
    /// <summary>Longest refusal reason kept, in bytes (a reason names a limit; a longer one is cut).</summary>
    private const int MaxReasonBytes = 1024;

    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();

    /// <summary>Keeps a request's header and payload frames next to each other on the connection.</summary>
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    private readonly CancellationTokenSource _stopping = new();
    private Task _receiveLoop = Task.CompletedTask;
    private long _nextRequestId = -1;

    /// <summary>Incremented on every lost connection, so the receive loop drops a header whose payload was lost.</summary>
    private int _connectionEpoch;

    /// <summary>
    /// The object size limit the server announced, with the connection epoch it was announced on (epoch in the high 32
    /// bits, limit in the low 32; 0: it said nothing), packed so one read sees both. Epoch -1: nothing heard yet.
    /// </summary>
    private long _announcedLimit = PackLimit(-1, 0);

    private readonly Lock _limitProbeLock = new();
    private Task? _limitProbe;
    private int _limitProbeEpoch = -1;

    private volatile Exception? _closedError;
    private int _disposed;

    private ObjectStorageClient(YmqConnector connector, ILogger logger)
    {
        _connector = connector;
        _logger = logger;
    }

    /// <summary>The server's address.</summary>
    public ScalerAddress RemoteAddress => _connector.RemoteAddress;

    /// <summary>
    /// Connects with the given identity (sent as the YMQ identity frame) and default transport settings, and waits for
    /// the first handshake.
    /// </summary>
    public static Task<ObjectStorageClient> ConnectAsync(
        ScalerAddress address, string identity, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        ConnectAsync(address, new YmqOptions { Identity = identity }, loggerFactory, cancellationToken);

    /// <summary>Connects with the given transport settings and waits for the first handshake.</summary>
    /// <exception cref="YmqConnectException">The server could not be reached within the retry policy.</exception>
    public static async Task<ObjectStorageClient> ConnectAsync(
        ScalerAddress address, YmqOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        YmqConnector connector = await YmqConnector.ConnectAsync(
            address, options, loggerFactory.CreateLogger<YmqConnector>(), cancellationToken).ConfigureAwait(false);
        var client = new ObjectStorageClient(connector, loggerFactory.CreateLogger<ObjectStorageClient>());
        connector.StateChanged += client.OnConnectorStateChanged;
        client._receiveLoop = client.ReceiveLoopAsync(client._stopping.Token);
        return client;
    }

    /// <summary>Stores <paramref name="content"/> under <paramref name="id"/>, replacing what it held.</summary>
    /// <remarks>The memory is sent later without a copy: do not change it before the returned task completes.</remarks>
    /// <exception cref="ObjectStorageException">
    /// Refused (<see cref="ObjectStorageException.IsRefusal"/>: larger than the server's limit, or the store is full),
    /// or the connection was lost or closed.
    /// </exception>
    [TurnChain]
    public async Task SetAsync(ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (!TryGetAnnouncedLimit(out long limit))
        {
            limit = await AskLimitAsync(cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
        }

        if (limit > 0 && content.Length > limit)
        {
            throw new ObjectStorageException(
                $"object storage at {RemoteAddress} refused the set of object {id}: {content.Length} bytes is more than " +
                $"its object size limit of {limit} bytes (max_object_bytes)",
                isRefusal: true);
        }

        await RequestAsync(ObjectRequestType.SetObject, id, (ulong)content.Length, content, cancellationToken)
            .ConfigureAwait(TurnContext.IsCurrent);
    }

    /// <summary>The content of <paramref name="id"/>; if it does not exist yet, waits until it is set.</summary>
    /// <returns>A fresh buffer owned by the caller.</returns>
    public Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, CancellationToken cancellationToken = default) =>
        GetAsync(id, ulong.MaxValue, cancellationToken);

    /// <summary>At most <paramref name="maxLength"/> bytes of <paramref name="id"/>, waiting until it is set.</summary>
    [TurnChain]
    public async Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, ulong maxLength, CancellationToken cancellationToken)
    {
        (_, ReadOnlyMemory<byte> payload) = await RequestAsync(
            ObjectRequestType.GetObject, id, maxLength, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
        return payload;
    }

    /// <summary>Removes <paramref name="id"/>. Returns false if it did not exist.</summary>
    [TurnChain]
    public async Task<bool> DeleteAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        (ObjectResponseType type, _) = await RequestAsync(
            ObjectRequestType.DeleteObject, id, 0, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
        return type == ObjectResponseType.DelOK;
    }

    /// <summary>
    /// Makes <paramref name="newId"/> name the content of <paramref name="sourceId"/> (replacing what it held), without
    /// sending the content. If <paramref name="sourceId"/> does not exist yet, completes once it is set.
    /// </summary>
    [TurnChain]
    public async Task DuplicateAsync(ObjectId newId, ObjectId sourceId, CancellationToken cancellationToken = default)
    {
        byte[] source = ObjectStorageWire.EncodeObjectIdMessage(sourceId);
        await RequestAsync(ObjectRequestType.DuplicateObjectID, newId, (ulong)source.Length, source, cancellationToken)
            .ConfigureAwait(TurnContext.IsCurrent);
    }

    /// <summary>How many object IDs, distinct contents and content bytes the server holds.</summary>
    [TurnChain]
    public async Task<ObjectStorageTotals> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        (_, ReadOnlyMemory<byte> payload) = await RequestAsync(
            ObjectRequestType.InfoGetTotal, default, 0, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
        if (payload.Length != ObjectStorageTotals.ByteLength)
        {
            throw new ObjectStorageException(
                $"infoGetTotal answer has {payload.Length} bytes, expected {ObjectStorageTotals.ByteLength}");
        }

        return ObjectStorageTotals.FromBytes(payload.Span);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _connector.StateChanged -= OnConnectorStateChanged;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
        await _connector.DisposeAsync().ConfigureAwait(false);
        FailAll(new ObjectDisposedException(nameof(ObjectStorageClient)));
        _stopping.Dispose();
        _sendLock.Dispose();
    }

    private async Task SendRequestAsync(ObjectRequestType type, byte[] header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Cancelling while the header waits for room in the send queue sends nothing; once the header is
            // queued, its payload must follow (a header without its payload would desynchronise the server).
            await _connector.SendAsync(header, cancellationToken).ConfigureAwait(false);
            if (type is ObjectRequestType.SetObject or ObjectRequestType.DuplicateObjectID)
            {
                await _connector.SendAsync(payload, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    [TurnChain]
    private async Task<(ObjectResponseType Type, ReadOnlyMemory<byte> Payload)> RequestAsync(
        ObjectRequestType type,
        ObjectId id,
        ulong payloadLength,
        ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ThrowIfClosed();

        ulong requestId = (ulong)Interlocked.Increment(ref _nextRequestId);
        var pending = new PendingRequest(requestId, type);
        _pending[requestId] = pending;
        byte[] header = ObjectStorageWire.EncodeRequest(new ObjectRequest(id, payloadLength, requestId, type, AcceptsRefusal: true));
        try
        {
            // Sending is no link of the chain (the answer is): when it waits, it resumes on the pool as before, and this
            // method comes back to the caller's context. When it does not wait, all of this runs at once, as before.
            await SendRequestAsync(type, header, payload, cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
        }
        catch (Exception error) when (error is YmqPeerClosedException or YmqConnectException)
        {
            _pending.TryRemove(requestId, out _);
            throw new ObjectStorageException($"object storage at {RemoteAddress} is not reachable: {error.Message}", error);
        }
        catch
        {
            _pending.TryRemove(requestId, out _);
            throw;
        }

        // Closed while sending: the receive loop may already have failed everything it knew about.
        if (_closedError is { } closed && _pending.TryRemove(requestId, out _))
        {
            throw Closed(closed);
        }

        // The caller's token cancels the pending request itself: no wrapping promise per request (Task.WaitAsync), and
        // a token that cannot be cancelled costs no registration at all.
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((PendingRequest)state!).TrySetCanceled(token), pending)
            : default;
        try
        {
            // PendingRequest never runs a continuation inline. A caller under the turn context resumes at the end of the
            // turn that read the answer, on that thread; any other caller on the pool (TurnContext.IsCurrent). The public
            // methods above await this the same way: in a turn the context is current, and the runtime never inlines a
            // ConfigureAwait(false) continuation under a context, so their caller would be sent to the pool after all.
            return await pending.Task.ConfigureAwait(TurnContext.IsCurrent);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server may still answer; the answer will match nothing and be ignored.
            _pending.TryRemove(requestId, out _);
            throw;
        }
    }

    [TurnChain]
    private async Task ReceiveLoopAsync(CancellationToken stopping)
    {
        ObjectResponse? awaitingPayload = null;
        int awaitingEpoch = 0;

        // Under the turn context: an answer is matched to its request on the thread that read it. Requests complete
        // asynchronously (PendingRequest), so no caller's code runs in the transport's turn.
        await TurnContext.SwitchTo();
        try
        {
            while (true)
            {
                ReadOnlyMemory<byte> frame = await _connector.ReceiveAsync(stopping).ConfigureAwait(true);
                if (awaitingPayload is { } header)
                {
                    awaitingPayload = null;
                    if (awaitingEpoch == Volatile.Read(ref _connectionEpoch) && (ulong)frame.Length == header.PayloadLength)
                    {
                        Complete(header, frame, awaitingEpoch);
                        continue;
                    }

                    ObjectStorageClientLog.PayloadLengthMismatch(_logger, header.ResponseId, header.PayloadLength, frame.Length);
                }

                ObjectResponse response;
                try
                {
                    response = ObjectStorageWire.DecodeResponse(frame.Span);
                }
                catch (ProtocolException error)
                {
                    ObjectStorageClientLog.MalformedResponse(_logger, frame.Length, error.Message);
                    continue;
                }

                if (response.PayloadLength > 0)
                {
                    awaitingPayload = response;
                    awaitingEpoch = Volatile.Read(ref _connectionEpoch);
                    continue;
                }

                Complete(response, ReadOnlyMemory<byte>.Empty, Volatile.Read(ref _connectionEpoch));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception error) when (error is YmqPeerClosedException or YmqConnectException or ObjectDisposedException)
        {
            _closedError = error;
            ObjectStorageClientLog.ConnectionClosed(_logger, RemoteAddress.ToString(), error.Message);
            FailAll(Closed(error));
        }
    }

    private void Complete(in ObjectResponse response, ReadOnlyMemory<byte> payload, int epoch)
    {
        if (response.MaxObjectBytes != 0 || response.Type == ObjectResponseType.InfoGetTotalOK)
        {
            // Every request accepts refusals, so a Scaler.NET server puts its limit in each immediate answer; an info
            // answer without one (a reference server) says there is nothing to check on this connection.
            Volatile.Write(ref _announcedLimit, PackLimit(epoch, response.MaxObjectBytes));
        }

        if (!_pending.TryRemove(response.ResponseId, out PendingRequest? pending))
        {
            ObjectStorageClientLog.UnmatchedResponse(_logger, response.ResponseId, response.Type.ToString());
            return;
        }

        if (response.Type == ObjectResponseType.Refused)
        {
            string reason = Encoding.UTF8.GetString(payload.Span[..Math.Min(payload.Length, MaxReasonBytes)]);
            pending.TrySetException(new ObjectStorageException(
                $"object storage at {RemoteAddress} refused {pending.RequestType} of object {response.ObjectId}: {reason}",
                isRefusal: true));
            return;
        }

        if (!pending.Accepts(response.Type))
        {
            pending.TrySetException(new ObjectStorageException(
                $"object storage answered {response.Type} to {pending.RequestType} request {pending.RequestId}"));
            return;
        }

        pending.TrySetResult((response.Type, payload));
    }

    private void OnConnectorStateChanged(object? sender, YmqConnectorStateChangedEventArgs change)
    {
        if (change.State != YmqConnectorState.Connecting)
        {
            return; // Connected needs nothing; Closed is seen by the receive loop.
        }

        Interlocked.Increment(ref _connectionEpoch);
        int failed = FailAll(new ObjectStorageException(
            $"connection to the object storage at {RemoteAddress} was lost ({change.Reason}); " +
            "the request may or may not have been carried out", change.Error ?? new IOException("connection lost")));
        ObjectStorageClientLog.ConnectionLost(_logger, RemoteAddress.ToString(), failed);
    }

    private int FailAll(Exception error)
    {
        int failed = 0;
        foreach (ulong requestId in _pending.Keys)
        {
            if (_pending.TryRemove(requestId, out PendingRequest? pending) && pending.TrySetException(error))
            {
                failed++;
            }
        }

        return failed;
    }

    /// <summary>The limit announced on the current connection (0: none announced), if it has answered yet.</summary>
    private bool TryGetAnnouncedLimit(out long limit)
    {
        long packed = Volatile.Read(ref _announcedLimit);
        limit = (uint)packed;
        return (int)(packed >> 32) == Volatile.Read(ref _connectionEpoch);
    }

    /// <summary>
    /// Asks the server for its limit, once per connection (an <c>infoGetTotal</c>, whose answer carries it), and returns
    /// it; 0 when it announced none or the connection changed meanwhile (then the set goes out unchecked, as to a
    /// reference server). A failure to ask is the connection's failure, and fails the set that needed the answer.
    /// </summary>
    [TurnChain]
    private async Task<long> AskLimitAsync(CancellationToken cancellationToken)
    {
        Task probe;
        int epoch = Volatile.Read(ref _connectionEpoch);
        lock (_limitProbeLock)
        {
            if (_limitProbe is null || _limitProbeEpoch != epoch || _limitProbe.IsFaulted || _limitProbe.IsCanceled)
            {
                _limitProbe = GetInfoAsync(CancellationToken.None);
                _limitProbeEpoch = epoch;
            }

            probe = _limitProbe;
        }

        try
        {
            await probe.WaitAsync(cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
        }
        catch (ObjectStorageException error) when (error.IsRefusal)
        {
            // A server that does not let this peer read its totals: its refusal still carries the limit, if it has one.
        }

        return TryGetAnnouncedLimit(out long limit) ? limit : 0;
    }

    private static long PackLimit(int epoch, uint limit) => ((long)epoch << 32) | limit;

    private void ThrowIfClosed()
    {
        if (_closedError is { } closed)
        {
            throw Closed(closed);
        }
    }

    private ObjectStorageException Closed(Exception cause) =>
        new($"connection to the object storage at {RemoteAddress} is closed: {cause.Message}", cause);
}
