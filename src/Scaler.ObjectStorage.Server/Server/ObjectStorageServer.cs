using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.IO.Ymq;
using Scaler.ObjectStorage.Wire;

namespace Scaler.ObjectStorage.Server;

/// <summary>
/// The object storage server: a YMQ binder, one receive loop feeding an <see cref="ObjectRequestProcessor{TPeer}"/>,
/// and one outbox per peer for the answers. Speaks the reference's object storage protocol. With a CA
/// (<see cref="ObjectStorageServerOptions.TlsCaPath"/>) every peer presents a certificate and each request is checked
/// against its roles (<see cref="PeerObjectAccess"/>); without, anyone may do anything, and it says so at start.
/// </summary>
public sealed class ObjectStorageServer : IAsyncDisposable
{
    private readonly YmqBinder _binder;
    private readonly ILogger _logger;
    private readonly ObjectRequestProcessor<PeerIdentity> _processor;
    private readonly StoreMemoryReturner _memoryReturner;

    /// <summary>Each peer's certificate, when the server requires them; null when it is open.</summary>
    private readonly PeerObjectAccess? _access;
    private readonly int _maxQueuedAnswersPerPeer;
    private readonly Dictionary<PeerIdentity, PeerOutbox> _outboxes = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _receiveLoop = Task.CompletedTask;
    private int _disposed;

    private ObjectStorageServer(YmqBinder binder, ObjectStorageServerOptions options, ILogger logger)
    {
        _binder = binder;
        _logger = logger;
        _access = options.TlsCaPath is not null ? new PeerObjectAccess(logger) : null;
        _processor = new ObjectRequestProcessor<PeerIdentity>(
            new Sink(this), options.ToProcessorSettings(), logger, access: _access);
        _memoryReturner = new StoreMemoryReturner(options.TimeProvider, logger);
        _maxQueuedAnswersPerPeer = options.MaxQueuedAnswersPerPeer;
    }

    /// <summary>The address it listens on, with the chosen port when port 0 was asked for.</summary>
    public ScalerAddress LocalAddress => _binder.LocalAddress;

    /// <summary>Gets and duplicates waiting for an object that does not exist yet (a monitoring figure, read unsynchronized).</summary>
    public int WaitingRequests => _processor.Store.WaitingRequestCount;

    /// <summary>Times the server gave the memory of deleted objects back to the system (read unsynchronized).</summary>
    internal int MemoryReturns => _memoryReturner.Returns;

    /// <summary>
    /// Binds and starts serving. Throws <see cref="System.Net.Sockets.SocketException"/> when it cannot bind, and
    /// <see cref="ArgumentException"/> for options that cannot work (a CA with a <c>tcp://</c> address).
    /// </summary>
    public static async Task<ObjectStorageServer> StartAsync(
        ObjectStorageServerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();

        ILogger logger = loggerFactory.CreateLogger<ObjectStorageServer>();
        YmqBinder binder = await YmqBinder.BindAsync(
            options.Address, options.ToYmqOptions(), loggerFactory.CreateLogger<YmqBinder>(), cancellationToken)
            .ConfigureAwait(false);

        var server = new ObjectStorageServer(binder, options, logger);
        server._receiveLoop = server.ReceiveLoopAsync(server._stopping.Token);
        ObjectStorageLog.Started(
            logger, options.Identity, binder.LocalAddress.ToString(), options.MaxObjectBytes, options.MaxTotalBytes);
        SayWhoMayConnect(logger, options, binder.LocalAddress);
        return server;
    }

    /// <summary>One line at start that says whether anyone may do anything here.</summary>
    private static void SayWhoMayConnect(ILogger logger, ObjectStorageServerOptions options, ScalerAddress address)
    {
        if (options.TlsCaPath is not null)
        {
            ObjectStorageLog.RequiresCertificates(logger, address.ToString(), options.TlsCaPath);
        }
        else
        {
            ObjectStorageLog.Open(logger, address.ToString(), address.IsSecure ? "encryption-only TLS" : "plain tcp://");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
        _memoryReturner.Dispose();

        PeerOutbox[] outboxes = [.. _outboxes.Values];
        _outboxes.Clear();
        foreach (PeerOutbox outbox in outboxes)
        {
            outbox.Complete();
        }

        await Task.WhenAll(outboxes.Select(o => o.Drained)).ConfigureAwait(false);
        await _binder.DisposeAsync().ConfigureAwait(false);

        Wire.ObjectStorageTotals totals = _processor.Store.Totals;
        ObjectStorageLog.Stopped(
            _logger, totals.ObjectIdCount, totals.ContentCount, totals.ContentBytes, _processor.Store.WaitingRequestCount);
        _stopping.Dispose();
    }

    [TurnChain]
    private async Task ReceiveLoopAsync(CancellationToken stopping)
    {
        // Under the turn context: a request the transport read is answered on the thread that read it.
        await TurnContext.SwitchTo();
        try
        {
            while (await _binder.Events.WaitToReadAsync(stopping).ConfigureAwait(true))
            {
                while (_binder.Events.TryRead(out YmqBinderEvent? binderEvent))
                {
                    Handle(binderEvent);
                }

                _memoryReturner.Observe(_processor.Store.ContentBytes);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception error)
        {
            ObjectStorageLog.ReceiveLoopFailed(_logger, error);
            throw;
        }
    }

    private void Handle(YmqBinderEvent binderEvent)
    {
        switch (binderEvent)
        {
            case YmqFrameReceived frame:
                try
                {
                    // The transport hands over a fresh array per frame: the store may keep it as an object's content.
                    _processor.OnFrame(frame.Peer, frame.Payload);
                }
#pragma warning disable CA1031 // A bug triggered by one peer's frame must cost that peer its connection, not the server.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    ObjectStorageLog.FrameHandlingFailed(_logger, frame.Peer.ToString(), error);
                    _binder.DisconnectPeer(frame.Peer);
                }

                break;

            case YmqPeerConnected connected:
                _access?.OnConnected(connected);
                _processor.OnPeerConnected(connected.Peer);
                break;

            case YmqPeerDisconnected disconnected:
                // A lost connection (or one replaced by a newer connection of the same identity) comes back: its
                // waiting requests stay and are answered on the new connection. Any other end is final.
                bool gone = disconnected.Reason is not (YmqDisconnectReason.ConnectionLost or YmqDisconnectReason.Replaced);
                _processor.OnPeerDisconnected(disconnected.Peer, gone);
                _access?.OnDisconnected(disconnected.Peer);

                // A replaced connection's peer is connected again (the new connection's event follows): its outbox goes
                // on. Answers queued for a peer that is gone or lost have no connection to go to; a peer that comes back
                // gets a new outbox, so outboxes are only ever kept for connected peers.
                if (disconnected.Reason != YmqDisconnectReason.Replaced
                    && _outboxes.Remove(disconnected.Peer, out PeerOutbox? outbox))
                {
                    outbox.Abandon();
                }

                break;
        }
    }

    private void Send(PeerIdentity peer, in ObjectResponse response, ReadOnlyMemory<byte> payload)
    {
        if (!_outboxes.TryGetValue(peer, out PeerOutbox? outbox))
        {
            outbox = new PeerOutbox(_binder, peer, _maxQueuedAnswersPerPeer, _logger, _stopping.Token);
            _outboxes.Add(peer, outbox);
        }

        if (!outbox.TryEnqueue(ObjectStorageWire.EncodeResponse(response), response.PayloadLength == 0 ? default : payload))
        {
            // The peer sends requests and does not read the answers. Its disconnection comes back as an event, which
            // drops its waiting requests; answers produced before that go to a new outbox and find it gone.
            ObjectStorageLog.AnswersOverflow(_logger, peer.ToString(), outbox.Queued);
            _outboxes.Remove(peer);
            outbox.Abandon();
            _binder.DisconnectPeer(peer);
        }
    }

    /// <summary>Routes the processor's answers to the outboxes; called on the receive loop only.</summary>
    private sealed class Sink : IObjectResponseSink<PeerIdentity>
    {
        private readonly ObjectStorageServer _server;

        public Sink(ObjectStorageServer server)
        {
            _server = server;
        }

        public void Send(PeerIdentity peer, in ObjectResponse response, ReadOnlyMemory<byte> payload) =>
            _server.Send(peer, response, payload);

        public void ClosePeer(PeerIdentity peer) => _server._binder.DisconnectPeer(peer);
    }
}
