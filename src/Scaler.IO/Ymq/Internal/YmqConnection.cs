using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Scaler.IO.Threading;

namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// One established YMQ connection: the handshake is done and <see cref="Remote"/> is known. <see cref="RunAsync"/>
/// runs one receive loop and one send loop over pipes until either ends, then tears both down and reports why.
/// <see cref="Close"/> is the single, idempotent way to stop it; the first reason recorded wins.
/// </summary>
internal sealed class YmqConnection : IAsyncDisposable
{
    /// <summary>Frames at least this large are written to the stream directly instead of being copied into the pipe.</summary>
    private const int DirectWriteThreshold = 64 * 1024;

    /// <summary>Frame bodies with at least this much still missing are read from the stream straight into their memory.</summary>
    private const int DirectReadThreshold = 64 * 1024;

    private const int MaxBatchFrames = 512;
    private const int MaxBatchBytes = 1 << 20;

    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true);
    private static readonly StreamPipeWriterOptions WriterOptions = new(minimumBufferSize: 64 * 1024, leaveOpen: true);

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly PartialFrameBudget.Share _share;
    private readonly FrameAssembler _assembler;
    private readonly FrameStallDetector _stall;
    private readonly TimeSpan _stallTimeout;
    private readonly TimeSpan? _idleTimeout;
    private readonly TimeProvider _time;
    private long _idleMarkBytes = -1;
    private long _idleMarkTimestamp;
    private readonly CancellationTokenSource _stop = new();
    private int _closeRecorded;
    private YmqDisconnectReason _reason;
    private Exception? _error;

    // Progress of the receive loop, written by it only and read by the stall watch (FrameStallDetector).
    private long _bytesReceived;
    private long _framesCompleted;
    private bool _frameInProgress;

    private YmqConnection(
        Socket socket, Stream stream, PipeReader reader, PipeWriter writer, PeerIdentity remote, YmqOptions options, PartialFrameBudget budget, bool accepted)
    {
        _socket = socket;
        _stream = stream;
        _reader = reader;
        _writer = writer;
        Remote = remote;
        RemoteEndPoint = socket.RemoteEndPoint?.ToString() ?? "?";
        _share = budget.Join(socket.RemoteEndPoint);
        _assembler = new FrameAssembler(options.MaxFrameBytes, _share);
        _stall = new FrameStallDetector(options.FrameStallTimeout, options.TimeProvider);
        _stallTimeout = options.FrameStallTimeout;
        _idleTimeout = accepted ? options.IdleTimeout : null;
        _time = options.TimeProvider;
    }

    public PeerIdentity Remote { get; }

    public string RemoteEndPoint { get; }

    /// <summary>
    /// Sends the magic and <paramref name="localIdentity"/>, then reads the peer's magic and identity. Both sides write
    /// first, so neither waits for the other. On failure the exception propagates and the caller still owns (and disposes) the stream.
    /// </summary>
    /// <param name="accepted">true on a binder's side: only there does <see cref="YmqOptions.IdleTimeout"/> apply</param>
    public static async Task<YmqConnection> OpenAsync(
        Socket socket,
        Stream stream,
        ReadOnlyMemory<byte> localIdentity,
        YmqOptions options,
        PartialFrameBudget budget,
        bool accepted,
        CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream, ReaderOptions);
        var writer = PipeWriter.Create(stream, WriterOptions);
        try
        {
            YmqFrameWriter.WriteMagic(writer);
            YmqFrameWriter.WriteFrame(writer, localIdentity.Span);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);

            var remote = await ReadHandshakeAsync(reader, options.MaxIdentityBytes, cancellationToken).ConfigureAwait(false);
            return new YmqConnection(socket, stream, reader, writer, remote, options, budget, accepted);
        }
        catch
        {
            // The caller owns the stream until this returns: it logs why, then disposes it.
            await CompleteQuietly(reader, writer, stream: null).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs until the peer leaves, an error occurs or <see cref="Close"/> is called. Frames go to
    /// <paramref name="onFrame"/> in order (awaited: a slow consumer stops the reads); frames come from
    /// <paramref name="sendQueue"/>. Returns why the connection ended.
    /// </summary>
    public async Task<(YmqDisconnectReason Reason, Exception? Error)> RunAsync(
        SendQueue sendQueue, Func<byte[], CancellationToken, ValueTask> onFrame)
    {
        var token = _stop.Token;
        var receive = ReceiveLoopAsync(onFrame, token);
        var send = SendLoopAsync(sendQueue, token);
        await Task.WhenAny(receive, send).ConfigureAwait(false);
        Close(YmqDisconnectReason.ConnectionLost, null);
        await Task.WhenAll(Quiet(receive), Quiet(send)).ConfigureAwait(false);
        return (_reason, _error);
    }

    /// <summary>Stops both loops and shuts the socket (an orderly FIN). The first recorded reason is kept.</summary>
    public void Close(YmqDisconnectReason reason, Exception? error)
    {
        if (Interlocked.Exchange(ref _closeRecorded, 1) != 0)
        {
            return;
        }

        _reason = reason;
        _error = error;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _stop.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        Close(YmqDisconnectReason.ClosedLocally, null);
        await CompleteQuietly(_reader, _writer, _stream).ConfigureAwait(false);
        _socket.Dispose();
        _stop.Dispose();
        _share.Leave();
    }

    /// <summary>
    /// Called now and then by the stall watch (one thread at a time): drops the peer when its frame in progress has made
    /// no progress for <see cref="YmqOptions.FrameStallTimeout"/>, or when it sent nothing at all for
    /// <see cref="YmqOptions.IdleTimeout"/> (accepted connections only).
    /// </summary>
    public void CloseIfStalled()
    {
        if (IsIdle())
        {
            Close(
                YmqDisconnectReason.ProtocolError,
                new YmqProtocolException($"the peer sent nothing for {_idleTimeout!.Value.TotalSeconds:0.###} s (YmqOptions.IdleTimeout)"));
            return;
        }

        if (!_stall.IsStalled(Volatile.Read(ref _frameInProgress), Volatile.Read(ref _bytesReceived), Volatile.Read(ref _framesCompleted)))
        {
            return;
        }

        var length = _assembler.InProgress ? $"of {_assembler.Length} bytes " : string.Empty;
        Close(
            YmqDisconnectReason.ProtocolError,
            new YmqProtocolException(
                $"a frame {length}made no progress for {_stallTimeout.TotalSeconds:0.###} s (YmqOptions.FrameStallTimeout)"));
    }

    /// <summary>True when <see cref="YmqOptions.IdleTimeout"/> is set and no byte has arrived for that long.</summary>
    private bool IsIdle()
    {
        if (_idleTimeout is not { } timeout)
        {
            return false;
        }

        var received = Volatile.Read(ref _bytesReceived);
        var now = _time.GetTimestamp();
        if (received != _idleMarkBytes)
        {
            _idleMarkBytes = received;
            _idleMarkTimestamp = now;
            return false;
        }

        return _time.GetElapsedTime(_idleMarkTimestamp, now) >= timeout;
    }

    /// <summary>
    /// Completes the pipes and disposes the stream without throwing: completing a stream pipe writer flushes what it
    /// still buffers, which fails on a broken connection, and that failure has already been recorded as the close reason.
    /// </summary>
    private static async Task CompleteQuietly(PipeReader reader, PipeWriter writer, Stream? stream)
    {
        try
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            writer.CancelPendingFlush();
            await writer.CompleteAsync(new OperationCanceledException("connection closed")).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is being torn down; nothing useful can be done with a late I/O error.
        }

        try
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Same: disposing a TLS stream may try to send close_notify on a dead socket.
        }
    }

    private static async Task<PeerIdentity> ReadHandshakeAsync(PipeReader reader, int maxIdentityBytes, CancellationToken cancellationToken)
    {
        var magicRead = false;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            PeerIdentity? identity = null;
            try
            {
                if (!magicRead)
                {
                    magicRead = YmqFrameReader.TryReadMagic(ref buffer);
                }

                if (magicRead && YmqFrameReader.TryReadFrame(ref buffer, maxIdentityBytes, "YmqOptions.MaxIdentityBytes", out var payload))
                {
                    identity = PeerIdentity.FromOwnedArray(payload.ToArray());
                }
            }
            finally
            {
                // Once the identity is read, frames that came with it stay unexamined so the receive loop sees them
                // at once instead of waiting for more bytes.
                if (identity is null)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
                else
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }

            if (identity is { } found)
            {
                return found;
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException("peer closed the connection before sending its YMQ identity");
            }
        }
    }

    private static async Task Quiet(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Recorded by the loop itself through Close.
        }
    }

    private async Task ReceiveLoopAsync(Func<byte[], CancellationToken, ValueTask> onFrame, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                var bytesRead = buffer.Length;

                // The frames of this read and everything they cause in loops under the turn context run on this
                // thread before it reads again (TurnContext explains why).
                var turn = TurnContext.Begin();
                try
                {
                    while (_assembler.TryTake(ref buffer, out var frame))
                    {
                        _framesCompleted++;
                        var delivery = onFrame(frame, cancellationToken);
                        if (delivery.IsCompletedSuccessfully)
                        {
                            delivery.GetAwaiter().GetResult();
                            continue;
                        }

                        // The consumer is full: this thread may leave here, so the turn's work runs first. While it
                        // waits nothing is read, which is no stall of the peer's.
                        Volatile.Write(ref _frameInProgress, false);
                        TurnContext.End(turn);
                        turn = false;
                        await delivery.ConfigureAwait(false);
                        turn = TurnContext.Begin();
                    }
                }
                finally
                {
                    try
                    {
                        _reader.AdvanceTo(buffer.Start, buffer.End);
                        Volatile.Write(ref _bytesReceived, _bytesReceived + (bytesRead - buffer.Length));
                        Volatile.Write(ref _frameInProgress, _assembler.InProgress || !buffer.IsEmpty);
                    }
                    finally
                    {
                        // Always, even when the reader was completed under us: a turn left open on this (pool) thread
                        // would swallow every continuation posted from it afterwards.
                        TurnContext.End(turn);
                    }
                }

                if (_assembler.InProgress && _assembler.Missing >= DirectReadThreshold && !result.IsCompleted)
                {
                    // The pipe holds nothing now (everything buffered was consumed): fill the rest of a large frame
                    // straight from the stream, saving a copy through the pipe's buffers.
                    await onFrame(await ReadRestAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (result.IsCompleted)
                {
                    var partial = _assembler.InProgress || !buffer.IsEmpty;
                    Close(
                        partial ? YmqDisconnectReason.ConnectionLost : YmqDisconnectReason.ClosedByPeer,
                        partial ? new YmqProtocolException("peer closed the connection in the middle of a frame") : null);
                    return;
                }
            }
        }
        catch (YmqProtocolException ex)
        {
            Close(YmqDisconnectReason.ProtocolError, ex);
        }
        catch (EndOfStreamException ex)
        {
            Close(YmqDisconnectReason.ConnectionLost, new YmqProtocolException("peer closed the connection in the middle of a frame", ex));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Closed by someone else; the reason is already recorded.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close(YmqDisconnectReason.ConnectionLost, ex);
        }
        finally
        {
            // Every read into the frame's memory has completed by now, so it can be freed.
            _assembler.Abandon();
        }
    }

    /// <summary>Reads the rest of the frame in progress from the stream (no pipe copy); returns it once complete.</summary>
    private async Task<byte[]> ReadRestAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await _stream.ReadAsync(_assembler.DirectReadTarget(), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            Volatile.Write(ref _bytesReceived, _bytesReceived + read);
            if (_assembler.Advance(read, out var frame))
            {
                _framesCompleted++;
                Volatile.Write(ref _frameInProgress, false);
                return frame;
            }
        }
    }

    [TurnChain]
    private async Task SendLoopAsync(SendQueue queue, CancellationToken cancellationToken)
    {
        var frames = queue.Reader;

        // Under the turn context: frames queued inside a turn are written at its end, all of them at once.
        await TurnContext.SwitchTo();
        try
        {
            while (await frames.WaitToReadAsync(cancellationToken).ConfigureAwait(true))
            {
                long taken = 0;
                try
                {
                    var count = 0;
                    long bytes = 0;
                    while (count < MaxBatchFrames && bytes < MaxBatchBytes && frames.TryRead(out var frame))
                    {
                        count++;
                        bytes += frame.Length;
                        taken += SendQueue.Cost(frame);
                        if (frame.Length >= DirectWriteThreshold)
                        {
                            YmqFrameWriter.WriteHeader(_writer, frame.Length);
                            await _writer.FlushAsync(cancellationToken).ConfigureAwait(true);
                            await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(true);
                        }
                        else
                        {
                            YmqFrameWriter.WriteFrame(_writer, frame.Span);
                        }
                    }

                    await _writer.FlushAsync(cancellationToken).ConfigureAwait(true);
                }
                finally
                {
                    queue.Release(taken);
                }
            }

            Close(YmqDisconnectReason.ClosedLocally, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Closed by someone else; the reason is already recorded.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close(YmqDisconnectReason.ConnectionLost, ex);
        }
    }
}
