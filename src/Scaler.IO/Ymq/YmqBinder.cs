using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Ymq;

/// <summary>
/// The listening side of YMQ (reference: <c>src/cpp/scaler/ymq/binder_socket.cpp</c>). Accepts any number of peers,
/// routes by the identity each peer announces, and replaces a peer's connection when the same identity connects
/// again. Everything that happens is reported on <see cref="Events"/>, which one consumer reads.
/// A peer that sends bad bytes is dropped and logged; the binder goes on serving the others.
/// </summary>
public sealed class YmqBinder : IAsyncDisposable
{
    private const int ListenBacklog = 1024;

    /// <summary>A failing accept waits this long before the next, doubling up to <see cref="MaxAcceptBackoff"/>.</summary>
    private static readonly TimeSpan MinAcceptBackoff = TimeSpan.FromMilliseconds(10);

    private static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);

    /// <summary>Failed accepts and connections refused over <see cref="YmqOptions.MaxConnections"/> are logged at most this often.</summary>
    private static readonly TimeSpan AcceptLogInterval = TimeSpan.FromSeconds(10);

    private readonly object _peersLock = new();
    private readonly Dictionary<PeerIdentity, BinderPeer> _peers = [];
    private readonly ConcurrentDictionary<Task, bool> _connectionTasks = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly EventInbox<YmqBinderEvent> _inbox;
    private readonly Socket _listener;
    private readonly YmqOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _identity;
    private readonly X509Certificate2? _certificate;

    /// <summary>Set (tls:// with a CA file): every peer must present a certificate chained to one of these.</summary>
    private readonly X509Certificate2Collection? _trustedCas;
    private readonly PartialFrameBudget _partialFrames;
    private readonly FrameStallWatch _stallWatch;
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    /// <summary>Accepted connections not yet ended, greeted or not (bounded by <see cref="YmqOptions.MaxConnections"/>).</summary>
    private int _openConnections;

    private YmqBinder(
        Socket listener, ScalerAddress localAddress, YmqOptions options, ILogger logger, X509Certificate2? certificate, X509Certificate2Collection? trustedCas)
    {
        _trustedCas = trustedCas;
        _listener = listener;
        LocalAddress = localAddress;
        _options = options;
        _logger = logger;
        _certificate = certificate;
        _identity = Encoding.UTF8.GetBytes(options.Identity);
        Identity = PeerIdentity.FromOwnedArray(_identity);
        _inbox = new EventInbox<YmqBinderEvent>(
            options.ReceiveQueueMaxBytes,
            static e => e is YmqFrameReceived frame ? frame.Payload.Length + SendQueue.FrameOverhead : 0);
        _partialFrames = new PartialFrameBudget(
            options.EffectiveMaxPartialFrameBytes, options.EffectiveMaxPartialFrameBytesPerPeer, new LargeFrameMemoryReturn(options.TimeProvider));
        _stallWatch = new FrameStallWatch(
            options.IdleTimeout is { } idle && idle < options.FrameStallTimeout ? idle : options.FrameStallTimeout, options.TimeProvider, ConnectedPeerConnections);
    }

    /// <summary>The bound address; when port 0 was asked for, this holds the port the OS chose.</summary>
    public ScalerAddress LocalAddress { get; }

    /// <summary>The identity this binder announces to its peers.</summary>
    public PeerIdentity Identity { get; }

    /// <summary>
    /// Peer connected, peer disconnected and frame events, in order per peer: a peer's frames come after its
    /// <see cref="YmqPeerConnected"/> and before its <see cref="YmqPeerDisconnected"/>. One consumer reads them.
    /// Unread frames count against <see cref="YmqOptions.ReceiveQueueMaxBytes"/>. Completes when the binder is disposed.
    /// </summary>
    public ChannelReader<YmqBinderEvent> Events => _inbox.Reader;

    /// <summary>Bytes held now for frames still arriving, over all peers (bounded by <see cref="YmqOptions.MaxPartialFrameBytes"/>).</summary>
    internal long PartialFrameBytesHeld => _partialFrames.Held;

    /// <summary>Identities of the peers connected now.</summary>
    public IReadOnlyList<PeerIdentity> ConnectedPeers
    {
        get
        {
            lock (_peersLock)
            {
                return [.. _peers.Keys];
            }
        }
    }

    /// <summary>
    /// Binds and starts accepting. Throws <see cref="YmqAddressException"/> (a <see cref="SocketException"/>) naming the
    /// address when it cannot be bound: in use, not this machine's, not permitted, or a host name that does not resolve.
    /// </summary>
    public static async Task<YmqBinder> BindAsync(ScalerAddress address, YmqOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();

        var certificate = address.IsSecure ? YmqTls.LoadServerCertificate(options) : null;
        var trustedCas = address.IsSecure ? YmqTls.LoadTrustedCas(options) : null;
        IPEndPoint endPoint;
        try
        {
            endPoint = await SocketSetup.ResolveBindEndPointAsync(address, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            certificate?.Dispose();
            throw new YmqAddressException(ex.SocketErrorCode, $"cannot bind {address}: {SocketSetup.Describe(ex)}");
        }

        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                // Lets a restarted binder take its port back while old connections sit in TIME_WAIT.
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            listener.Bind(endPoint);
            listener.Listen(ListenBacklog);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            certificate?.Dispose();
            throw new YmqAddressException(ex.SocketErrorCode, $"cannot bind {address}: {SocketSetup.Describe(ex)}");
        }
        catch
        {
            listener.Dispose();
            certificate?.Dispose();
            throw;
        }

        var bound = address.WithPort(((IPEndPoint)listener.LocalEndPoint!).Port);
        var binder = new YmqBinder(listener, bound, options, logger, certificate, trustedCas);
        binder._acceptLoop = binder.AcceptLoopAsync();
        YmqLog.Listening(logger, options.Identity, bound.ToString());
        return binder;
    }

    /// <summary>
    /// Queues <paramref name="frame"/> for <paramref name="peer"/>. Returns false when no peer with that identity is
    /// connected (or it disconnects while the call waits); the caller decides what that means. Frames to one peer are
    /// sent in the order the calls complete. When the peer's queue holds <see cref="YmqOptions.SendQueueMaxBytes"/>,
    /// the call waits for room. The memory must not change after the call: it is written later, without a copy.
    /// </summary>
    public ValueTask<bool> SendAsync(PeerIdentity peer, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        BinderPeer? target;
        lock (_peersLock)
        {
            _peers.TryGetValue(peer, out target);
        }

        return target is null ? new ValueTask<bool>(false) : target.SendQueue.EnqueueAsync(frame, cancellationToken);
    }

    /// <summary>Closes the connection of <paramref name="peer"/>, if any (frames not yet written are dropped).</summary>
    public void DisconnectPeer(PeerIdentity peer)
    {
        BinderPeer? target;
        lock (_peersLock)
        {
            if (_peers.Remove(peer, out target))
            {
                Retire(target, YmqDisconnectReason.ClosedLocally, null);
            }
        }

        target?.Connection.Close(YmqDisconnectReason.ClosedLocally, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        _stallWatch.Dispose();
        _partialFrames.MemoryReturn.Dispose();
        await _acceptLoop.ConfigureAwait(false);

        BinderPeer[] peers;
        lock (_peersLock)
        {
            peers = [.. _peers.Values];
            _peers.Clear();
        }

        // Frames already queued (a shutdown answer, workers told to stop) get a bounded chance to be written first.
        await SendQueue.WhenAllDrainedAsync(peers.Select(p => p.SendQueue), _options.CloseFlushTimeout, _options.TimeProvider).ConfigureAwait(false);
        foreach (var peer in peers)
        {
            peer.Connection.Close(YmqDisconnectReason.ClosedLocally, null);
        }

        await Task.WhenAll(_connectionTasks.Keys).ConfigureAwait(false);
        _inbox.Complete();
        _certificate?.Dispose();
        _shutdown.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var token = _shutdown.Token;
        var backoff = TimeSpan.Zero;
        var failures = new LogThrottle(AcceptLogInterval, _options.TimeProvider);
        var refusals = new LogThrottle(AcceptLogInterval, _options.TimeProvider);
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (token.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors (EMFILE, ENFILE) leaves the connection in the backlog, so accepting again at once
                // would fail again at once: wait, longer each time, and log once per interval (never a stack trace: a
                // flood would write them by the thousand).
                backoff = backoff == TimeSpan.Zero ? MinAcceptBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxAcceptBackoff.Ticks));
                if (failures.Occurred(out var count))
                {
                    YmqLog.AcceptFailing(_logger, LocalAddress.ToString(), count, SocketSetup.Describe(ex), backoff.TotalMilliseconds);
                }

                try
                {
                    await Task.Delay(backoff, _options.TimeProvider, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            backoff = TimeSpan.Zero;
            if (TakeConnectionSlot() is { } refusal)
            {
                if (refusals.Occurred(out var count))
                {
                    YmqLog.ConnectionsRefused(_logger, LocalAddress.ToString(), count, refusal);
                }

                Refuse(socket);
                continue;
            }

            var task = ServeAsync(socket, token);
            _connectionTasks.TryAdd(task, true);
            _ = task.ContinueWith(
                static (t, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(t, out _),
                _connectionTasks,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Counts a new connection against <see cref="YmqOptions.MaxConnections"/> and the descriptors the process keeps
    /// free (<see cref="ConnectionDescriptors"/>); null when it may stay, else why not (nothing counted).
    /// </summary>
    private string? TakeConnectionSlot()
    {
        var open = Interlocked.Increment(ref _openConnections);
        if (open > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _openConnections);
            return $"{open - 1} connections are open, the limit of this binder (YmqOptions.MaxConnections)";
        }

        if (!ConnectionDescriptors.TryTake())
        {
            Interlocked.Decrement(ref _openConnections);
            return $"the connections of this process's binders hold {ConnectionDescriptors.Available} of its "
                + $"{ConnectionDescriptors.OpenFileLimit} file descriptors (ulimit -n), the rest are kept for the runtime and files";
        }

        return null;
    }

    /// <summary>Closes a connection over the limit with a reset: nothing is kept for it, not even TIME_WAIT.</summary>
    private static void Refuse(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the peer; disposing is all there is to do.
        }

        socket.Dispose();
    }

    /// <summary>The connections of the peers connected now (the stall watch looks at them).</summary>
    private YmqConnection[] ConnectedPeerConnections()
    {
        lock (_peersLock)
        {
            var connections = new YmqConnection[_peers.Count];
            var i = 0;
            foreach (var peer in _peers.Values)
            {
                connections[i++] = peer.Connection;
            }

            return connections;
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken shutdown)
    {
        await Task.Yield();
        try
        {
            await ServeConnectionAsync(socket, shutdown).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Last line of defence: one connection's failure must never reach the binder.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            YmqLog.ConnectionFailed(_logger, ex);
            socket.Dispose();
        }
        finally
        {
            Interlocked.Decrement(ref _openConnections);
            ConnectionDescriptors.Return();
        }
    }

    private async Task ServeConnectionAsync(Socket socket, CancellationToken shutdown)
    {
        var (connection, credentials) = await HandshakeAsync(socket, shutdown).ConfigureAwait(false);
        if (connection is null)
        {
            return;
        }

        var peer = new BinderPeer(connection, new SendQueue(_options.SendQueueMaxBytes)) { Credentials = credentials };
        await using (connection.ConfigureAwait(false))
        {
            if (!Register(peer))
            {
                return;
            }

            var (reason, error) = await connection.RunAsync(peer.SendQueue, (frame, ct) => DeliverAsync(peer, frame, ct)).ConfigureAwait(false);
            peer.SendQueue.Close();
            if (reason == YmqDisconnectReason.ProtocolError)
            {
                YmqLog.PeerDropped(_logger, connection.Remote, connection.RemoteEndPoint, error?.Message ?? reason.ToString());
            }
            else
            {
                YmqLog.PeerDisconnected(_logger, connection.Remote, reason);
            }

            lock (_peersLock)
            {
                if (_peers.TryGetValue(connection.Remote, out var current) && current == peer)
                {
                    _peers.Remove(connection.Remote);
                }

                Retire(peer, reason, error);
            }
        }
    }

    /// <summary>
    /// TLS (for tls://) and the YMQ greeting, bounded by the handshake timeout; a null connection (logged) when it
    /// fails. The credentials are those of the peer's certificate when the binder requires one (mutual TLS).
    /// </summary>
    private async Task<(YmqConnection? Connection, PeerCredentials? Credentials)> HandshakeAsync(Socket socket, CancellationToken shutdown)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, timeout.Token);
        Stream? stream = null;
        var check = _trustedCas is null ? null : new PeerCertificateCheck(_trustedCas, _options.TlsAcceptedPeerRoles, peerIsClient: true, checkName: false);
        try
        {
            SocketSetup.Configure(socket, _options, _logger);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (_certificate is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(YmqTls.ServerOptions(_certificate, check), linked.Token).ConfigureAwait(false);
            }

            var connection = await YmqConnection.OpenAsync(socket, stream, _identity, _options, _partialFrames, accepted: true, linked.Token).ConfigureAwait(false);
            return (connection, check?.Credentials);
        }
#pragma warning disable CA1031 // Whatever a peer does during the handshake costs only that peer its connection.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (check?.RefusalReason is { } refusal)
            {
                TlsLog.PeerRefused(_logger, remote, refusal);
            }
            else if (!shutdown.IsCancellationRequested)
            {
                var reason = timeout.IsCancellationRequested
                    ? $"not finished within {_options.HandshakeTimeout.TotalSeconds:0.###} s (YmqOptions.HandshakeTimeout)"
                    : SocketSetup.Describe(ex);
                YmqLog.HandshakeFailed(_logger, remote, reason);
            }

            await DisposeQuietly(stream, socket).ConfigureAwait(false);
            return (null, null);
        }
    }

    private static async Task DisposeQuietly(Stream? stream, Socket socket)
    {
        try
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The peer is being dropped anyway.
        }

        socket.Dispose();
    }

    private bool Register(BinderPeer peer)
    {
        var identity = peer.Connection.Remote;
        BinderPeer? replaced = null;
        lock (_peersLock)
        {
            if (_disposed != 0)
            {
                return false;
            }

            // With mutual TLS an identity belongs to the certificate that holds it: another certificate claiming a
            // connected identity is refused (the reference would replace the connection, handing over the identity's
            // tasks and results). The same certificate may take it over: that is its holder reconnecting.
            if (_trustedCas is not null && _peers.TryGetValue(identity, out var holder)
                && holder.Credentials?.CertificateHash != peer.Credentials?.CertificateHash)
            {
                TlsLog.IdentityTakeoverRefused(
                    _logger, identity.ToString(), peer.Connection.RemoteEndPoint, holder.Credentials?.ToString() ?? "?", peer.Credentials?.ToString() ?? "?");
                return false;
            }

            if (_peers.Remove(identity, out replaced))
            {
                Retire(replaced, YmqDisconnectReason.Replaced, null);
            }

            _peers[identity] = peer;
            _inbox.TryWrite(new YmqPeerConnected(identity) { Credentials = peer.Credentials });
        }

        if (replaced is not null)
        {
            YmqLog.PeerReplaced(_logger, identity);
            replaced.Connection.Close(YmqDisconnectReason.Replaced, null);
        }

        YmqLog.PeerConnected(_logger, identity, peer.Connection.RemoteEndPoint);
        return true;
    }

    /// <summary>Marks the peer as gone and reports it once. Called with <see cref="_peersLock"/> held.</summary>
    private void Retire(BinderPeer peer, YmqDisconnectReason reason, Exception? error)
    {
        lock (peer.Gate)
        {
            if (peer.Retired)
            {
                return;
            }

            peer.Retired = true;
            _inbox.TryWrite(new YmqPeerDisconnected(peer.Connection.Remote, reason, error));
        }
    }

    private async ValueTask DeliverAsync(BinderPeer peer, byte[] frame, CancellationToken cancellationToken)
    {
        var cost = frame.Length + SendQueue.FrameOverhead;
        if (!await _inbox.ReserveAsync(cost, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        lock (peer.Gate)
        {
            if (!peer.Retired && _inbox.TryWrite(new YmqFrameReceived(peer.Connection.Remote, frame)))
            {
                return;
            }
        }

        _inbox.Unreserve(cost);
    }
}
