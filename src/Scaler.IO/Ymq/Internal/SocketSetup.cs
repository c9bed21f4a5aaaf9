using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Scaler.IO.Addressing;

namespace Scaler.IO.Ymq.Internal;

/// <summary>Socket options shared by both sides (reference: <c>internal/message_connection.cpp</c> sets no-delay and keep-alive).</summary>
internal static class SocketSetup
{
    public static void Configure(Socket socket, YmqOptions options, ILogger logger)
    {
        socket.NoDelay = true;
        if (!options.TcpKeepAlive)
        {
            return;
        }

        // A platform that refuses keep-alive tuning still gets a working connection; say so and go on.
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Seconds(options.TcpKeepAliveTime));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Seconds(options.TcpKeepAliveInterval));
        }
        catch (SocketException ex)
        {
            YmqLog.KeepAliveFailed(logger, ex.Message);
        }
    }

    public static async Task<IPEndPoint> ResolveBindEndPointAsync(ScalerAddress address, CancellationToken cancellationToken)
    {
        if (address.TryGetIPAddress() is { } ip)
        {
            return new IPEndPoint(ip, address.Port);
        }

        var addresses = await Dns.GetHostAddressesAsync(address.Host, cancellationToken).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        return new IPEndPoint(chosen, address.Port);
    }

    public static async Task<Socket> ConnectAsync(ScalerAddress address, CancellationToken cancellationToken)
    {
        var ip = address.TryGetIPAddress();
        var socket = ip is null
            ? new Socket(SocketType.Stream, ProtocolType.Tcp)
            : new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            EndPoint endPoint = ip is null ? new DnsEndPoint(address.Host, address.Port) : new IPEndPoint(ip, address.Port);
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A short reason for logs and errors: "connection refused", "timed out after 10 s", ...</summary>
    public static string Describe(Exception error) => error switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.ConnectionReset } => "connection reset by peer",
        SocketException { SocketErrorCode: SocketError.TimedOut } => "timed out",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } => "host not found",
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => "address already in use",
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable } => "not an address of this machine",
        SocketException { SocketErrorCode: SocketError.AccessDenied } => "permission denied (ports below 1024 need privileges)",
        SocketException socket => socket.Message,
        System.Security.Authentication.AuthenticationException auth => $"TLS handshake failed: {auth.Message}",
        EndOfStreamException => "peer closed the connection during the handshake",
        IOException { InnerException: SocketException inner } => Describe(inner),
        _ => error.Message,
    };

    private static int Seconds(TimeSpan time) => (int)Math.Clamp(Math.Ceiling(time.TotalSeconds), 1, int.MaxValue);
}
