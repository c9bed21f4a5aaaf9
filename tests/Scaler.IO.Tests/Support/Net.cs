using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;

namespace Scaler.IO.Tests.Support;

internal static class Net
{
    public static ScalerAddress Loopback { get; } = ScalerAddress.Parse("tcp://127.0.0.1:0");

    /// <summary>Every network test is bounded by this.</summary>
    public static CancellationTokenSource Timeout() => new(TimeSpan.FromSeconds(20));

    public static YmqOptions Options(string identity, Action<YmqOptions>? configure = null)
    {
        var options = new YmqOptions
        {
            Identity = identity,
            ConnectRetryInitialDelay = TimeSpan.FromMilliseconds(5),
            ConnectRetryMaxDelay = TimeSpan.FromMilliseconds(100),
            ConnectMaxRetries = 50,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Reads the next event and checks its type.</summary>
    public static async Task<T> NextAsync<T>(this ChannelReader<YmqBinderEvent> events, CancellationToken cancellationToken)
        where T : YmqBinderEvent
    {
        var next = await events.ReadAsync(cancellationToken);
        return Assert.IsType<T>(next);
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on (bound, then released).</summary>
    public static int UnusedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public static async Task<Socket> RawConnectAsync(ScalerAddress address, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, address.Port), cancellationToken);
        return socket;
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"peer closed after {filled} of {count} bytes");
            }

            filled += read;
        }

        return buffer;
    }

    /// <summary>Reads until the peer closes (FIN or reset); returns how many bytes came before that.</summary>
    public static async Task<int> DrainUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var total = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return total;
                }

                total += read;
            }
        }
        catch (SocketException)
        {
            return total;
        }
    }
}

/// <summary>A logger that keeps formatted messages, so tests can check what was logged.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _messages.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
