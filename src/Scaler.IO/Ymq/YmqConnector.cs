using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Tls;
using Scaler.IO.Ymq.Internal;

namespace Scaler.IO.Ymq;

/// <summary>
/// The connecting side of YMQ (reference: <c>src/cpp/scaler/ymq/connector_socket.cpp</c>). Connects in the
/// background, retrying with exponential back-off; after a broken connection it reconnects and sends its handshake
/// again. Frames sent while disconnected wait in a queue bounded by <see cref="YmqOptions.SendQueueMaxBytes"/>.
/// When the peer closes in an orderly way the connector closes for good (unless
/// <see cref="YmqOptions.ReconnectAfterPeerClose"/>), and <see cref="ReceiveAsync"/> then throws
/// <see cref="YmqPeerClosedException"/> after the frames received before the close.
/// </summary>
public sealed class YmqConnector : IAsyncDisposable
{
    private readonly YmqOptions _options;
    private readonly ILogger _logger;
    private readonly byte[] _identity;
    private readonly SendQueue _sendQueue;
    private readonly EventInbox<ReadOnlyMemory<byte>> _inbox;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly X509Certificate2Collection? _trustedCas;

    /// <summary>Presented when the server asks for a client certificate (mutual TLS); null when none is configured.</summary>
    private readonly X509Certificate2? _clientCertificate;
    private readonly object _stateLock = new();

    /// <summary>The connector's own budget for frames still arriving: it has one connection, so sharing it adds nothing.</summary>
    private readonly PartialFrameBudget _partialFrames;
    private readonly FrameStallWatch _stallWatch;
    private YmqConnection? _current;
    private int _serverRefusalLogged;
    private Exception? _closedError;
    private Task _run = Task.CompletedTask;
    private int _disposed;

    private YmqConnector(ScalerAddress address, YmqOptions options, ILogger logger)
    {
        RemoteAddress = address;
        _options = options;
        _logger = logger;
        _identity = Encoding.UTF8.GetBytes(options.Identity);
        Identity = PeerIdentity.FromOwnedArray(_identity);
        _sendQueue = new SendQueue(options.SendQueueMaxBytes);
        _inbox = new EventInbox<ReadOnlyMemory<byte>>(options.ReceiveQueueMaxBytes, static f => f.Length + SendQueue.FrameOverhead);
        _trustedCas = address.IsSecure ? YmqTls.LoadTrustedCas(options) : null;
        _clientCertificate = address.IsSecure ? YmqTls.LoadClientCertificate(options) : null;
        _partialFrames = new PartialFrameBudget(
            options.EffectiveMaxPartialFrameBytes, options.EffectiveMaxPartialFrameBytesPerPeer, new LargeFrameMemoryReturn(options.TimeProvider));
        _stallWatch = new FrameStallWatch(options.FrameStallTimeout, options.TimeProvider, CurrentConnection);
    }

    /// <summary>Raised (on a background thread) when the connector connects, disconnects or closes.</summary>
    public event EventHandler<YmqConnectorStateChangedEventArgs>? StateChanged;

    public ScalerAddress RemoteAddress { get; }

    /// <summary>The identity this connector announces.</summary>
    public PeerIdentity Identity { get; }

    /// <summary>The peer's identity once a handshake completed (kept while reconnecting).</summary>
    public PeerIdentity? RemoteIdentity { get; private set; }

    public YmqConnectorState State { get; private set; } = YmqConnectorState.Connecting;

    /// <summary>Starts connecting in the background and returns at once; frames sent now are queued.</summary>
    public static YmqConnector Connect(ScalerAddress address, YmqOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        var connector = new YmqConnector(address, options, logger);
        if (address.IsSecure && options.TlsCaPath is null)
        {
            YmqLog.TlsNotVerified(logger, address.ToString());
        }

        connector._run = connector.RunAsync();
        return connector;
    }

    /// <summary>
    /// Connects and waits for the first completed handshake. Throws <see cref="YmqConnectException"/> when the retry
    /// policy runs out ("could not connect to tcp://127.0.0.1:1234 after 9 attempts: connection refused"), or
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public static async Task<YmqConnector> ConnectAsync(ScalerAddress address, YmqOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var connector = Connect(address, options, logger);
        try
        {
            await connector.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
            return connector;
        }
        catch
        {
            await connector.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Completes when the first handshake is done; faults like <see cref="ConnectAsync"/>.</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _firstConnection.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Queues a frame. While disconnected, frames wait for the next connection. When the queue holds
    /// <see cref="YmqOptions.SendQueueMaxBytes"/>, this waits for room (cancel with the token).
    /// Throws <see cref="YmqPeerClosedException"/> or <see cref="YmqConnectException"/> once the connector is closed.
    /// The memory must not change after the call: it is written later, without a copy. Frames taken by a connection
    /// that then breaks may be lost (at most once, like the reference).
    /// </summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!await _sendQueue.EnqueueAsync(frame, cancellationToken).ConfigureAwait(false))
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            throw ClosedError();
        }
    }

    /// <summary>
    /// The next frame from the peer (a fresh array owned by the caller). After the connector closed, frames already
    /// received are still returned, then <see cref="YmqPeerClosedException"/> or <see cref="YmqConnectException"/> is thrown.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken)
    {
        var reader = _inbox.Reader;
        while (true)
        {
            if (reader.TryRead(out var frame))
            {
                return frame;
            }

            // Resumed on the caller's context: a loop under TurnContext then goes on in the turn that delivered the frame.
            if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(true))
            {
                ObjectDisposedException.ThrowIf(_disposed != 0 && _closedError is null, this);
                throw ClosedError();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Frames already queued (a disconnect sent just before) get a bounded chance to be written, if connected.
        bool connected;
        lock (_stateLock)
        {
            connected = _current is not null;
        }

        if (connected)
        {
            await SendQueue.WhenAllDrainedAsync([_sendQueue], _options.CloseFlushTimeout, _options.TimeProvider).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _stallWatch.Dispose();
        _partialFrames.MemoryReturn.Dispose();
        lock (_stateLock)
        {
            _current?.Close(YmqDisconnectReason.ClosedLocally, null);
        }

        await _run.ConfigureAwait(false);
        _sendQueue.Close();
        _inbox.Complete();
        _firstConnection.TrySetException(new ObjectDisposedException(nameof(YmqConnector)));
        _ = _firstConnection.Task.Exception;
        _stop.Dispose();
        _clientCertificate?.Dispose();
    }

    /// <summary>The connection now, if any (the stall watch looks at it).</summary>
    private YmqConnection[] CurrentConnection()
    {
        lock (_stateLock)
        {
            return _current is null ? [] : [_current];
        }
    }

    private Exception ClosedError() =>
        _closedError ?? new YmqPeerClosedException($"the YMQ connector to {RemoteAddress} is closed") { Reason = YmqDisconnectReason.ClosedLocally };

    private async Task RunAsync()
    {
        await Task.Yield();
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var connection = await ConnectWithRetryAsync(token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    lock (_stateLock)
                    {
                        _current = connection;
                        if (token.IsCancellationRequested)
                        {
                            connection.Close(YmqDisconnectReason.ClosedLocally, null);
                        }
                    }

                    RemoteIdentity = connection.Remote;
                    SetState(YmqConnectorState.Connected, null, false, null);
                    YmqLog.Connected(_logger, RemoteAddress.ToString(), connection.Remote);
                    _firstConnection.TrySetResult();

                    var (reason, error) = await connection.RunAsync(_sendQueue, DeliverAsync).ConfigureAwait(false);
                    lock (_stateLock)
                    {
                        _current = null;
                    }

                    if (token.IsCancellationRequested)
                    {
                        break;
                    }

                    var reconnect = reason != YmqDisconnectReason.ClosedByPeer || _options.ReconnectAfterPeerClose;
                    YmqLog.ConnectionEnded(_logger, RemoteAddress.ToString(), connection.Remote, reason, error is null ? string.Empty : $" ({error.Message})", reconnect);
                    if (!reconnect)
                    {
                        Fail(new YmqPeerClosedException($"peer '{connection.Remote}' at {RemoteAddress} closed the connection") { Reason = reason }, reason);
                        return;
                    }

                    SetState(YmqConnectorState.Connecting, reason, true, error);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (YmqConnectException ex)
        {
            YmqLog.ConnectGaveUp(_logger, RemoteAddress.ToString(), ex.Message);
            Fail(ex, null);
            return;
        }
#pragma warning disable CA1031 // The background loop must end in a known state, whatever went wrong.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            YmqLog.ConnectGaveUp(_logger, RemoteAddress.ToString(), ex.Message);
            Fail(new YmqPeerClosedException($"the YMQ connector to {RemoteAddress} failed: {ex.Message}", ex) { Reason = YmqDisconnectReason.ConnectionLost }, null);
            return;
        }

        State = YmqConnectorState.Closed;
    }

    private void Fail(Exception error, YmqDisconnectReason? reason)
    {
        _closedError = error;
        _stallWatch.Dispose();
        _partialFrames.MemoryReturn.Dispose();
        _sendQueue.Close();
        _inbox.Complete();
        _firstConnection.TrySetException(error);
        _ = _firstConnection.Task.Exception;
        SetState(YmqConnectorState.Closed, reason, false, error);
    }

    private void SetState(YmqConnectorState state, YmqDisconnectReason? reason, bool willReconnect, Exception? error)
    {
        State = state;
        try
        {
            StateChanged?.Invoke(this, new YmqConnectorStateChangedEventArgs(state, RemoteIdentity, reason, willReconnect, error));
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop the connection loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            YmqLog.StateHandlerFailed(_logger, ex);
        }
    }

    private async Task<YmqConnection> ConnectWithRetryAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                return await ConnectOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = ex;
            }

            var retry = attempt;
            if (_options.ConnectMaxRetries is { } maxRetries && retry > maxRetries)
            {
                var attempts = attempt == 1 ? "1 attempt" : $"{attempt} attempts";
                throw new YmqConnectException($"could not connect to {RemoteAddress} after {attempts}: {SocketSetup.Describe(failure)}", failure)
                {
                    Attempts = attempt,
                };
            }

            var delay = ConnectBackoff.DelayBeforeRetry(retry, _options.ConnectRetryInitialDelay, _options.ConnectRetryMaxDelay);
            YmqLog.ConnectAttemptFailed(_logger, attempt, RemoteAddress.ToString(), SocketSetup.Describe(failure), delay);
            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<YmqConnection> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Socket? socket = null;
        Stream? stream = null;
        var check = _trustedCas is null
            ? null
            : new PeerCertificateCheck(_trustedCas, _options.TlsAcceptedPeerRoles, peerIsClient: false, _options.TlsCheckCertificateName);
        try
        {
            socket = await SocketSetup.ConnectAsync(RemoteAddress, linked.Token).ConfigureAwait(false);
            SocketSetup.Configure(socket, _options, _logger);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (RemoteAddress.IsSecure)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                var sslOptions = YmqTls.ClientOptions(RemoteAddress, _clientCertificate, check);
                await ssl.AuthenticateAsClientAsync(sslOptions, linked.Token).ConfigureAwait(false);
            }

            var connection = await YmqConnection.OpenAsync(socket, stream, _identity, _options, _partialFrames, accepted: false, linked.Token).ConfigureAwait(false);
            socket = null;
            stream = null;
            if (RemoteIdentity is { } expected && connection.Remote != expected)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new YmqProtocolException($"peer announced identity '{connection.Remote}' but was '{expected}' before the reconnect");
            }

            return connection;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"timed out after {_options.HandshakeTimeout.TotalSeconds:0.###} s (YmqOptions.HandshakeTimeout)", ex);
        }
        catch (System.Security.Authentication.AuthenticationException ex) when (check?.RefusalReason is { } refusal)
        {
            // A refused certificate is no transient failure: say so once at warning level, not only when retries run out.
            if (Interlocked.Exchange(ref _serverRefusalLogged, 1) == 0)
            {
                TlsLog.ServerRefused(_logger, RemoteAddress.ToString(), refusal);
            }

            // Say why the server was refused instead of "rejected by the provided RemoteCertificateValidationCallback".
            throw new System.Security.Authentication.AuthenticationException(refusal, ex);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket?.Dispose();
        }
    }

    private async ValueTask DeliverAsync(byte[] frame, CancellationToken cancellationToken)
    {
        var cost = frame.Length + SendQueue.FrameOverhead;
        if (!await _inbox.ReserveAsync(cost, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (!_inbox.TryWrite(frame))
        {
            _inbox.Unreserve(cost);
        }
    }
}
