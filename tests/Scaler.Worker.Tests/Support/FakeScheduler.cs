using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Tests.Support;

/// <summary>
/// A scheduler stand-in on 127.0.0.1 port 0: echoes worker and worker-manager heartbeats (with the object storage
/// address), answers DisconnectRequest, and records every message and disconnection for the test to expect.
/// </summary>
internal sealed class FakeScheduler : IAsyncDisposable
{
    private readonly YmqBinder _binder;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private FakeScheduler(YmqBinder binder, ScalerAddress? storageAddress)
    {
        _binder = binder;
        StorageAddress = storageAddress;
        _loop = Task.Run(LoopAsync);
    }

    public ScalerAddress Address => _binder.LocalAddress;

    public ScalerAddress? StorageAddress { get; }

    /// <summary>When false, worker heartbeats are not echoed (the worker then sees the scheduler as silent).</summary>
    public bool EchoHeartbeats { get; set; } = true;

    /// <param name="address">where to bind: a port freed by a scheduler that "died" starts its successor there; default port 0</param>
    public static async Task<FakeScheduler> StartAsync(ScalerAddress? storageAddress = null, ScalerAddress? address = null)
    {
        var binder = await YmqBinder.BindAsync(
            address ?? ScalerAddress.Parse("tcp://127.0.0.1:0"),
            new YmqOptions { Identity = $"{Environment.ProcessId}|scheduler|{Guid.NewGuid()}" },
            NullLogger.Instance,
            CancellationToken.None);
        return new FakeScheduler(binder, storageAddress);
    }

    public async Task SendAsync(PeerIdentity peer, IMessage message)
    {
        Assert.True(await _binder.SendAsync(peer, MessageCodec.Encode(message), CancellationToken.None), $"peer {peer} is not connected");
    }

    /// <summary>The next message of type <typeparamref name="T"/> that matches, skipping everything else.</summary>
    public async Task<(PeerIdentity Peer, T Message)> ExpectAsync<T>(CancellationToken cancellationToken, Func<PeerIdentity, T, bool>? match = null)
        where T : IMessage
    {
        while (true)
        {
            var received = await _received.Reader.ReadAsync(cancellationToken);
            if (received.Message is T typed && (match is null || match(received.Peer, typed)))
            {
                return (received.Peer, typed);
            }
        }
    }

    /// <summary>The next disconnection of a peer that matches, skipping everything else.</summary>
    public async Task<PeerIdentity> ExpectDisconnectAsync(CancellationToken cancellationToken, Func<PeerIdentity, bool>? match = null)
    {
        while (true)
        {
            var received = await _received.Reader.ReadAsync(cancellationToken);
            if (received.Disconnected && (match is null || match(received.Peer)))
            {
                return received.Peer;
            }
        }
    }

    /// <summary>Drops everything received so far.</summary>
    public void Drain()
    {
        while (_received.Reader.TryRead(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _binder.DisposeAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        await foreach (var e in _binder.Events.ReadAllAsync(_stop.Token))
        {
            switch (e)
            {
                case YmqFrameReceived frame:
                    var message = MessageCodec.Decode(frame.Payload.Span);
                    await ReactAsync(frame.Peer, message);
                    _received.Writer.TryWrite(new Received(frame.Peer, message, false));
                    break;
                case YmqPeerDisconnected gone:
                    _received.Writer.TryWrite(new Received(gone.Peer, null, true));
                    break;
            }
        }
    }

    private async Task ReactAsync(PeerIdentity peer, IMessage message)
    {
        IMessage? reply = message switch
        {
            WorkerHeartbeat when EchoHeartbeats => new WorkerHeartbeatEcho
            {
                ObjectStorageAddress = StorageAddress is { } a
                    ? new ObjectStorageAddress { Host = a.Host, Port = (ushort)a.Port, Scheme = "tcp" }
                    : new ObjectStorageAddress(),
            },
            WorkerManagerHeartbeat => new WorkerManagerHeartbeatEcho(),
            DisconnectRequest d => new DisconnectResponse { Worker = d.Worker },
            _ => null,
        };
        if (reply is not null)
        {
            try
            {
                await _binder.SendAsync(peer, MessageCodec.Encode(reply), _stop.Token);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException && _stop.IsCancellationRequested)
            {
                // Being disposed (a test's scheduler "dies" while a worker talks to it): the reply has nowhere to go.
            }
        }
    }

    private sealed record Received(PeerIdentity Peer, IMessage? Message, bool Disconnected);
}
