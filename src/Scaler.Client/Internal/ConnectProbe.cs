using System.Net.Sockets;
using Scaler.IO.Addressing;

namespace Scaler.Internal;

/// <summary>
/// Explains why the scheduler could not be reached: the YMQ connector retries quietly, so after a connect timeout
/// one plain TCP connect says whether the address refuses, does not answer, or accepts TCP but never greets.
/// </summary>
internal static class ConnectProbe
{
    public static async Task<string> DescribeAsync(ScalerAddress address, TimeSpan budget)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(budget);
        try
        {
            await socket.ConnectAsync(address.Host, address.Port, timeout.Token).ConfigureAwait(false);
            return "it accepts TCP connections but did not complete the YMQ handshake (is it a Scaler scheduler?)";
        }
        catch (OperationCanceledException)
        {
            return "no answer to a TCP connect";
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => $"host '{address.Host}' not found",
                SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
                SocketError.TimedOut => "no answer to a TCP connect",
                _ => e.Message,
            };
        }
    }
}
