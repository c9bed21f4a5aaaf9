using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;

namespace Scaler.Benchmarks.Suite;

/// <summary>A raw protocol connection to the scheduler (a fake client or a fake worker); sends are serialized.</summary>
internal sealed class ProtocolPeer : IAsyncDisposable
{
    private readonly YmqConnector _connector;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    private ProtocolPeer(YmqConnector connector, string identity)
    {
        _connector = connector;
        Identity = identity;
    }

    public string Identity { get; }

    public static async Task<ProtocolPeer> ConnectAsync(string address, string identity, CancellationToken ct)
    {
        var connector = await YmqConnector.ConnectAsync(
            ScalerAddress.Parse(address), new YmqOptions { Identity = identity }, NullLogger.Instance, ct);
        return new ProtocolPeer(connector, identity);
    }

    public async ValueTask SendAsync(IMessage message, CancellationToken ct)
    {
        var frame = MessageCodec.Encode(message);
        await _sendLock.WaitAsync(ct);
        try
        {
            await _connector.SendAsync(frame, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask<IMessage> ReceiveAsync(CancellationToken ct) => MessageCodec.Decode((await _connector.ReceiveAsync(ct)).Span);

    public async ValueTask DisposeAsync()
    {
        await _connector.DisposeAsync();
        _sendLock.Dispose();
    }
}
