using System.Net;
using System.Net.Sockets;
using Scaler.IO.Addressing;

namespace Scaler.ObjectStorage.Tests.Support;

/// <summary>
/// A TCP relay on 127.0.0.1 port 0 in front of a server, whose current connections can be reset (RST, not FIN) to
/// simulate a broken network; new connections are relayed again afterwards.
/// </summary>
internal sealed class BreakableProxy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _open = [];
    private readonly Task _acceptLoop;

    public BreakableProxy(ScalerAddress target)
    {
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Address = ScalerAddress.Parse($"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}");
        _acceptLoop = AcceptLoopAsync();
    }

    public ScalerAddress Address { get; }

    /// <summary>Number of connections accepted so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>Resets every relayed connection on both sides.</summary>
    public void ResetAll()
    {
        lock (_open)
        {
            foreach (Socket socket in _open)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        ResetAll();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inbound = await _listener.AcceptAsync(_stop.Token);
            var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await outbound.ConnectAsync(_target, _stop.Token);
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
                Accepted++;
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Reset or stopped.
        }
    }
}
