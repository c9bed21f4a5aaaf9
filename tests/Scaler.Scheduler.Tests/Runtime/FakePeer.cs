using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;
using Scaler.Protocol.Messages;

namespace Scaler.Scheduler.Tests.Runtime;

/// <summary>
/// A client, worker, worker manager or monitor speaking the real protocol to a scheduler (like Npgsql's PgServerMock):
/// <see cref="Send"/> a message, <see cref="Expect{T}"/> the next one. Expect is strict: the next message must be of
/// the expected type, so "nothing else was delivered before X" is checked by expecting X.
/// </summary>
internal sealed class FakePeer : IAsyncDisposable
{
    private static readonly TimeSpan ExpectBound = TimeSpan.FromSeconds(10);

    private FakePeer(YmqConnector connector, string identity)
    {
        Connector = connector;
        Identity = identity;
    }

    public YmqConnector Connector { get; }

    public string Identity { get; }

    public byte[] IdentityBytes => System.Text.Encoding.UTF8.GetBytes(Identity);

    /// <param name="configure">changes the transport options (TLS files, retries) before connecting</param>
    public static async Task<FakePeer> ConnectAsync(ScalerAddress address, string identity, Action<YmqOptions>? configure = null)
    {
        using var timeout = new CancellationTokenSource(ExpectBound);
        var options = new YmqOptions { Identity = identity };
        configure?.Invoke(options);
        var connector = await YmqConnector.ConnectAsync(address, options, NullLogger.Instance, timeout.Token);
        return new FakePeer(connector, identity);
    }

    public async Task Send(IMessage message)
    {
        using var timeout = new CancellationTokenSource(ExpectBound);
        await Connector.SendAsync(MessageCodec.Encode(message), timeout.Token);
    }

    public async Task SendRaw(byte[] frame)
    {
        using var timeout = new CancellationTokenSource(ExpectBound);
        await Connector.SendAsync(frame, timeout.Token);
    }

    public async Task<IMessage> Receive()
    {
        using var timeout = new CancellationTokenSource(ExpectBound);
        try
        {
            var frame = await Connector.ReceiveAsync(timeout.Token);
            return MessageCodec.Decode(frame.Span);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"{Identity}: no message within {ExpectBound}");
        }
    }

    /// <summary>The next frame as it came over the wire.</summary>
    public async Task<byte[]> ReceiveRaw()
    {
        using var timeout = new CancellationTokenSource(ExpectBound);
        return (await Connector.ReceiveAsync(timeout.Token)).ToArray();
    }

    public async Task<T> Expect<T>()
        where T : IMessage
    {
        var message = await Receive();
        return message is T expected
            ? expected
            : throw new Xunit.Sdk.XunitException($"{Identity}: expected {typeof(T).Name}, got {message.Kind}");
    }

    /// <summary>Skips messages of other types until a <typeparamref name="T"/> comes (for monitors, which get everything).</summary>
    public async Task<T> ExpectEventually<T>()
        where T : IMessage
    {
        while (true)
        {
            if (await Receive() is T expected)
            {
                return expected;
            }
        }
    }

    public ValueTask DisposeAsync() => Connector.DisposeAsync();
}
