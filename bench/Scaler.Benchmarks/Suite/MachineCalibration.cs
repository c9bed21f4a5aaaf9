using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Scaler.Benchmarks.Suite;

/// <summary>
/// How fast this machine moves a small message between two processes right now, with nothing of Scaler.NET in the
/// way: 100-byte round trips over loopback TCP between this process and a child echoing with blocking calls.
/// Printed beside workload 3, whose latency is a chain of such hops: on a virtual machine the figure follows the
/// host's load (how fast a sleeping CPU wakes), so two runs can only be compared together with it.
/// </summary>
internal static class MachineCalibration
{
    public const string EchoCommand = "tcp-echo";

    private const int MessageBytes = 100;

    /// <summary>The median round trip in microseconds over <paramref name="roundTrips"/> trips, after as many to warm up.</summary>
    public static async Task<double> RawRoundTripMicrosecondsAsync(int roundTrips, CancellationToken cancellationToken)
    {
        await using var echo = ChildProcess.StartThisProgram(EchoCommand);
        var port = int.Parse(await echo.WaitForLineAsync("listening ", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

        // Blocking calls on a thread of its own: the socket never sees an async call, so each side's read is woken
        // by the kernel directly (the floor a hop can reach), and the measurement does not wait on the thread pool.
        return await Task.Factory.StartNew(
            () => Measure(port, roundTrips),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary><c>tcp-echo</c>: binds 127.0.0.1:0, prints <c>listening PORT</c>, echoes one connection's bytes until it closes.</summary>
    public static int Echo()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Console.WriteLine($"listening {((IPEndPoint)listener.LocalEndPoint!).Port}");
        using var peer = listener.Accept();
        peer.NoDelay = true;
        var buffer = new byte[MessageBytes];
        while (ReceiveExactly(peer, buffer))
        {
            peer.Send(buffer);
        }

        return 0;
    }

    private static double Measure(int port, int roundTrips)
    {
        // A hung echo ends the calibration with a SocketException instead of stalling the suite.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000 };
        socket.Connect(IPAddress.Loopback, port);
        var buffer = new byte[MessageBytes];
        var samples = new double[roundTrips];
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < roundTrips; i++)
            {
                var started = Stopwatch.GetTimestamp();
                socket.Send(buffer);
                if (!ReceiveExactly(socket, buffer))
                {
                    throw new InvalidOperationException("tcp-echo closed the connection during the calibration");
                }

                samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }
        }

        socket.Shutdown(SocketShutdown.Both);
        return Stats.Percentile(samples, 50);
    }

    private static bool ReceiveExactly(Socket socket, byte[] buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
