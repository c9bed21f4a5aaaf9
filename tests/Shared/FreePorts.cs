using System.Net;
using System.Net.Sockets;

namespace Scaler.Testing;

/// <summary>
/// Finds free TCP ports on 127.0.0.1 for processes that must be told their port up front. Shared by the test projects
/// and the benchmark suite (linked from tests/Shared); servers that can bind port 0 and report it do that instead.
/// </summary>
internal static class FreePorts
{
    /// <summary>
    /// A port p such that p .. p+count-1 are all free right now (the scheduler uses its port, +1 for the embedded
    /// object storage and +2 for the monitor). Another process could take one before ours binds; tests then fail
    /// loudly at bind time rather than misbehave.
    /// </summary>
    public static int FindConsecutive(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            first.Stop();
            if (port + count - 1 > IPEndPoint.MaxPort)
            {
                continue;
            }

            if (Enumerable.Range(port, count).All(IsFree))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports found on 127.0.0.1");
    }

    /// <summary>One port that is free right now.</summary>
    public static int FindOne() => FindConsecutive(1);

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
