using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;

namespace Scaler.Benchmarks;

/// <summary>
/// Does the object storage give memory back? 100 objects of 50 MB set, then deleted, with the server and the client in
/// the benchmark process (the client holds one 50 MB buffer); the resident set (VmRSS) before, at the peak, just after
/// the deletes and once the server has returned the memory (at most 30 s later). Needs about 5 GB of free memory.
/// </summary>
internal static class ObjectStorageMemoryBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        int size = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50_000_000;
        Console.WriteLine($"object storage memory ({count} objects of {size:N0} bytes set, then deleted; server and client in one process)");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cts.Token);
        await using var client = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "bench-memory", NullLoggerFactory.Instance, cts.Token);
        var owner = ObjectOwner.FromClientIdentity("bench-memory"u8);
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        long start = ResidentBytes();

        var ids = new List<ObjectId>(count);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload, i); // distinct contents: nothing is deduplicated
            var id = ObjectId.NewUnique(owner);
            await client.SetAsync(id, payload, cts.Token);
            ids.Add(id);
        }

        double setSeconds = clock.Elapsed.TotalSeconds;
        long peak = ResidentBytes();
        clock.Restart();
        foreach (var id in ids)
        {
            await client.DeleteAsync(id, cts.Token);
        }

        double deleteSeconds = clock.Elapsed.TotalSeconds;
        long afterDeletes = ResidentBytes();
        clock.Restart();
        while (server.MemoryReturns == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50, cts.Token);
        }

        double returnSeconds = clock.Elapsed.TotalSeconds;
        long returned = ResidentBytes();
        Console.WriteLine($"  {"resident set at start",-42} {Mib(start),12:N0} MiB");
        Console.WriteLine($"  {"after the sets (peak)",-42} {Mib(peak),12:N0} MiB   ({setSeconds:0.0} s)");
        Console.WriteLine($"  {"just after the deletes",-42} {Mib(afterDeletes),12:N0} MiB   ({deleteSeconds:0.00} s)");
        Console.WriteLine($"  {"once the memory is returned",-42} {Mib(returned),12:N0} MiB   ({returnSeconds:0.0} s after the last delete, {server.MemoryReturns} returns)");
    }

    private static long Mib(long bytes) => bytes >> 20;

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }
}
