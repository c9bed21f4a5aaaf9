using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;

namespace Scaler.Benchmarks;

/// <summary>
/// Object storage over loopback: our server and our client in one process.
/// Small objects: 1 KiB set+get pairs with 64 in flight (ops/s counts a set and its get as two operations).
/// Large objects: 16 MiB set then get, one at a time (MB/s counts the bytes moved both ways).
/// </summary>
internal static class ObjectStorageBenchmark
{
    public static async Task RunAsync()
    {
        Console.WriteLine("object storage (server and client in one process, loopback)");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cts.Token);
        await using var client = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "bench-client", NullLoggerFactory.Instance, cts.Token);
        var owner = ObjectOwner.FromClientIdentity("bench-client"u8);

        await SmallObjectsAsync(client, owner, TimeSpan.FromSeconds(1), cts.Token); // warm-up
        var (ops, elapsed) = await SmallObjectsAsync(client, owner, TimeSpan.FromSeconds(3), cts.Token);
        Console.WriteLine($"  {"set+get 1 KiB (64 in flight)",-42} {ops / elapsed.TotalSeconds,12:N0} ops/s  ({ops:N0} ops in {elapsed.TotalSeconds:0.00} s)");

        await LargeObjectsAsync(client, owner, rounds: 2, cts.Token); // warm-up
        var (bytes, largeElapsed) = await LargeObjectsAsync(client, owner, rounds: 10, cts.Token);
        Console.WriteLine($"  {"set+get 16 MiB (one at a time)",-42} {bytes / largeElapsed.TotalSeconds / 1e6,12:N0} MB/s   ({bytes / (1 << 20):N0} MiB in {largeElapsed.TotalSeconds:0.00} s)");
    }

    /// <summary>The same measurement for the suite: 1 KiB set+get ops/s and 16 MiB MB/s, after a warm-up of each.</summary>
    public static async Task<(double SmallOpsPerSecond, double LargeMegabytesPerSecond)> MeasureAsync(TimeSpan smallDuration, int largeRounds, CancellationToken ct)
    {
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, ct);
        await using var client = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "bench-client", NullLoggerFactory.Instance, ct);
        var owner = ObjectOwner.FromClientIdentity("bench-client"u8);
        await SmallObjectsAsync(client, owner, TimeSpan.FromSeconds(0.5), ct);
        var (ops, elapsed) = await SmallObjectsAsync(client, owner, smallDuration, ct);
        await LargeObjectsAsync(client, owner, rounds: 1, ct);
        var (bytes, largeElapsed) = await LargeObjectsAsync(client, owner, largeRounds, ct);
        return (ops / elapsed.TotalSeconds, bytes / largeElapsed.TotalSeconds / 1e6);
    }

    private static async Task<(long Ops, TimeSpan Elapsed)> SmallObjectsAsync(
        ObjectStorageClient client, ObjectOwner owner, TimeSpan duration, CancellationToken ct)
    {
        var payload = new byte[1024];
        Random.Shared.NextBytes(payload);
        long ops = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 64).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var id = ObjectId.NewUnique(owner);
                await client.SetAsync(id, payload, ct);
                var got = await client.GetAsync(id, ct);
                if (got.Length != payload.Length)
                {
                    throw new InvalidOperationException($"got {got.Length} bytes back, set {payload.Length}");
                }

                await client.DeleteAsync(id, ct);
                Interlocked.Add(ref ops, 2);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        return (ops, clock.Elapsed);
    }

    private static async Task<(long Bytes, TimeSpan Elapsed)> LargeObjectsAsync(
        ObjectStorageClient client, ObjectOwner owner, int rounds, CancellationToken ct)
    {
        var payload = new byte[16 << 20];
        Random.Shared.NextBytes(payload);
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            var id = ObjectId.NewUnique(owner);
            await client.SetAsync(id, payload, ct);
            var got = await client.GetAsync(id, ct);
            if (got.Length != payload.Length)
            {
                throw new InvalidOperationException($"got {got.Length} bytes back, set {payload.Length}");
            }

            await client.DeleteAsync(id, ct);
            bytes += 2L * payload.Length;
        }

        return (bytes, clock.Elapsed);
    }
}
