using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Store;
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
/// </remarks>
public sealed class ObjectStorageClient : IAsyncDisposable
{
    private readonly YmqConnector _connector;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();

    /// <summary>Keeps a request's header and payload frames next to each other on the connection.</summary>
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    private readonly CancellationTokenSource _stopping = new();
    private Task _receiveLoop = Task.CompletedTask;
    private long _nextRequestId = -1;

    /// <summary>Incremented on every lost connection, so the receive loop drops a header whose payload was lost.</summary>
    private int _connectionEpoch;

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
    public async Task SetAsync(ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        await RequestAsync(ObjectRequestType.SetObject, id, (ulong)content.Length, content, cancellationToken)
            .ConfigureAwait(TurnContext.IsCurrent);
    }

    /// <summary>The content of <paramref name="id"/>; if it does not exist yet, waits until it is set.</summary>
    /// <returns>A fresh buffer owned by the caller.</returns>
    public Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, CancellationToken cancellationToken = default) =>
        GetAsync(id, ulong.MaxValue, cancellationToken);

    /// <summary>At most <paramref name="maxLength"/> bytes of <paramref name="id"/>, waiting until it is set.</summary>
    public async Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, ulong maxLength, CancellationToken cancellationToken)
    {
        (_, ReadOnlyMemory<byte> payload) = await RequestAsync(
            ObjectRequestType.GetObject, id, maxLength, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(TurnContext.IsCurrent);
        return payload;
    }

    /// <summary>Removes <paramref name="id"/>. Returns false if it did not exist.</summary>
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
    public async Task DuplicateAsync(ObjectId newId, ObjectId sourceId, CancellationToken cancellationToken = default)
    {
        byte[] source = ObjectStorageWire.EncodeObjectIdMessage(sourceId);
        await RequestAsync(ObjectRequestType.DuplicateObjectID, newId, (ulong)source.Length, source, cancellationToken)
            .ConfigureAwait(TurnContext.IsCurrent);
    }

    /// <summary>How many object IDs, distinct contents and content bytes the server holds.</summary>
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
        byte[] header = ObjectStorageWire.EncodeRequest(new ObjectRequest(id, payloadLength, requestId, type));
        try
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
                        Complete(header, frame);
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

                Complete(response, ReadOnlyMemory<byte>.Empty);
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

    private void Complete(in ObjectResponse response, ReadOnlyMemory<byte> payload)
    {
        if (!_pending.TryRemove(response.ResponseId, out PendingRequest? pending))
        {
            ObjectStorageClientLog.UnmatchedResponse(_logger, response.ResponseId, response.Type.ToString());
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
