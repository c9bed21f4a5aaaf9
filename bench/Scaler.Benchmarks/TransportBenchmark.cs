using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Benchmarks.Suite;
using Scaler.IO.Addressing;
using Scaler.IO.Ymq;

namespace Scaler.Benchmarks;

/// <summary>
/// YMQ over loopback: a binder echoes (or acknowledges) every frame a connector sends.
/// Small frames: 100-byte round trips one at a time (the latency of a hop), in one process and between two processes
/// (the binder is a child process running <c>transport-echo</c>, as every hop of a cluster is), and with 64 in flight. Large frames: 1 MiB one way with 4 in flight, 1-byte acks.
/// </summary>
internal static class TransportBenchmark
{
    private static readonly ScalerAddress Loopback = ScalerAddress.Parse("tcp://127.0.0.1:0");

    public static async Task RunAsync()
    {
        Console.WriteLine("transport (YMQ over loopback, one connector, one binder, same process)");
        await MeasureAsync("sequential round trips (100 B, 1 in flight)", 100, 1, echo: true, TimeSpan.FromSeconds(3), unit: "round trips/s");
        await MeasureCrossProcessAsync(TimeSpan.FromSeconds(3));
        await MeasureAsync("small round trips (100 B, 64 in flight)", 100, 64, echo: true, TimeSpan.FromSeconds(3), unit: "round trips/s");
        await MeasureAsync("large frames (1 MiB, 4 in flight)", 1 << 20, 4, echo: false, TimeSpan.FromSeconds(3), unit: "MB/s");
    }

    private static async Task MeasureAsync(string name, int size, int window, bool echo, TimeSpan duration, string unit)
    {
        using var cts = new CancellationTokenSource(duration * 4 + TimeSpan.FromSeconds(10));
        await using var binder = await YmqBinder.BindAsync(Loopback, new YmqOptions { Identity = "bench-binder" }, NullLogger.Instance, cts.Token);
        var ack = new byte[1];
        var server = Task.Run(
            async () =>
            {
                await foreach (var e in binder.Events.ReadAllAsync(cts.Token))
                {
                    if (e is YmqFrameReceived frame)
                    {
                        await binder.SendAsync(frame.Peer, echo ? frame.Payload : ack, cts.Token);
                    }
                }
            },
            cts.Token);

        await using var connector = await YmqConnector.ConnectAsync(binder.LocalAddress, new YmqOptions { Identity = "bench-client" }, NullLogger.Instance, cts.Token);
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);

        // Warm up, then measure.
        await PumpAsync(connector, payload, window, TimeSpan.FromSeconds(1), cts.Token);
        var (count, elapsed) = await PumpAsync(connector, payload, window, duration, cts.Token);

        var perSecond = count / elapsed.TotalSeconds;
        var figure = unit == "MB/s" ? perSecond * size / 1e6 : perSecond;
        Console.WriteLine($"  {name,-42} {figure,12:N0} {unit}  ({count:N0} frames in {elapsed.TotalSeconds:0.00} s)");
        await connector.DisposeAsync();
        await binder.DisposeAsync();
        try
        {
            await server;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary><c>transport-echo ADDRESS</c>: binds, prints <c>listening ADDRESS</c>, and echoes every frame until killed.</summary>
    public static async Task<int> EchoAsync(string address)
    {
        await using var binder = await YmqBinder.BindAsync(ScalerAddress.Parse(address), new YmqOptions { Identity = "bench-echo" }, NullLogger.Instance, default);
        Console.WriteLine($"listening {binder.LocalAddress}");
        await foreach (var e in binder.Events.ReadAllAsync())
        {
            if (e is YmqFrameReceived frame)
            {
                await binder.SendAsync(frame.Peer, frame.Payload, default);
            }
        }

        return 0;
    }

    private static async Task MeasureCrossProcessAsync(TimeSpan duration)
    {
        using var cts = new CancellationTokenSource(duration * 4 + TimeSpan.FromSeconds(20));
        await using var echo = ChildProcess.StartThisProgram("transport-echo", Loopback.ToString());
        var address = await echo.WaitForLineAsync("listening ", cts.Token);

        await using var connector = await YmqConnector.ConnectAsync(ScalerAddress.Parse(address), new YmqOptions { Identity = "bench-client" }, NullLogger.Instance, cts.Token);
        var payload = new byte[100];
        await PumpAsync(connector, payload, 1, TimeSpan.FromSeconds(1), cts.Token);
        var (count, elapsed) = await PumpAsync(connector, payload, 1, duration, cts.Token);
        Console.WriteLine($"  {"sequential round trips, two processes",-42} {count / elapsed.TotalSeconds,12:N0} round trips/s  ({elapsed.TotalMicroseconds / count:0.0} us each)");
    }

    /// <summary>Keeps <paramref name="window"/> frames in flight until <paramref name="duration"/> passes; counts replies.</summary>
    private static async Task<(long Count, TimeSpan Elapsed)> PumpAsync(
        YmqConnector connector, byte[] payload, int window, TimeSpan duration, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < window; i++)
        {
            await connector.SendAsync(payload, cancellationToken);
        }

        long replies = 0;
        var inFlight = window;
        while (inFlight > 0)
        {
            await connector.ReceiveAsync(cancellationToken);
            replies++;
            inFlight--;
            if (stopwatch.Elapsed < duration)
            {
                await connector.SendAsync(payload, cancellationToken);
                inFlight++;
            }
        }

        return (replies, stopwatch.Elapsed);
    }
}
