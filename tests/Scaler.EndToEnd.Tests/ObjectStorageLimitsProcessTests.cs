using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.EndToEnd.Tests.Support;
using Scaler.IO.Addressing;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Store;
using Scaler.ObjectStorage.Wire;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests;

/// <summary>
/// <c>--max-object-bytes</c> and <c>--max-total-bytes</c> on a real <c>scaler-cli</c> process: the caller gets the
/// reason, and the memory of deleted objects goes back to the system.
/// </summary>
public sealed class ObjectStorageLimitsProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly ObjectOwner Owner = ObjectOwner.FromClientIdentity("Client|limits-e2e"u8);

    [Fact]
    public async Task ObjectStorageServer_WithMaxObjectBytes_RefusesALargerSetWithTheReason()
    {
        var port = FreePorts.FindConsecutive(1);
        await using var server = CliProcess.Start("object-storage-server", $"tcp://127.0.0.1:{port}", "--max-object-bytes", "1000");
        await server.WaitForLineAsync("objects up to 1000 bytes", Bound);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await ConnectAsync(port, cts.Token);

        var refused = await Assert.ThrowsAsync<ObjectStorageException>(
            () => client.SetAsync(ObjectId.NewUnique(Owner), new byte[2000], cts.Token));

        Assert.True(refused.IsRefusal);
        Assert.Contains("2000 bytes is more than its object size limit of 1000 bytes (max_object_bytes)", refused.Message, StringComparison.Ordinal);
        var fits = ObjectId.NewUnique(Owner);
        await client.SetAsync(fits, new byte[1000], cts.Token);
        Assert.Equal(1000, (await client.GetAsync(fits, cts.Token)).Length);
    }

    [Fact]
    public async Task ObjectStorageServer_WithMaxTotalBytes_RefusesASetIntoAFullStoreWithTheReason()
    {
        var port = FreePorts.FindConsecutive(1);
        var limit = StoreLimits.BookkeepingBytesPerObjectId + 1000;
        await using var server = CliProcess.Start(
            "object-storage-server", $"tcp://127.0.0.1:{port}", "--max-total-bytes", limit.ToString(CultureInfo.InvariantCulture));
        await server.WaitForLineAsync($"{limit} bytes in all", Bound);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await ConnectAsync(port, cts.Token);
        await client.SetAsync(ObjectId.NewUnique(Owner), new byte[1000], cts.Token);

        var refused = await Assert.ThrowsAsync<ObjectStorageException>(
            () => client.SetAsync(ObjectId.NewUnique(Owner), new byte[1], cts.Token));

        Assert.True(refused.IsRefusal);
        Assert.Contains($"past its limit of {limit} bytes (max_total_bytes)", refused.Message, StringComparison.Ordinal);
        Assert.Equal(new ObjectStorageTotals(1, 1, 1000), await client.GetInfoAsync(cts.Token));
    }

    [Fact]
    public async Task Scheduler_PassesTheLimitsToItsEmbeddedObjectStorage()
    {
        var port = FreePorts.FindConsecutive(3);
        await using var scheduler = CliProcess.Start("scheduler", $"tcp://127.0.0.1:{port}", "--max-object-bytes", "1000");
        await scheduler.WaitForLineAsync("objects up to 1000 bytes", Bound);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await ConnectAsync(port + 1, cts.Token);

        var refused = await Assert.ThrowsAsync<ObjectStorageException>(
            () => client.SetAsync(ObjectId.NewUnique(Owner), new byte[1001], cts.Token));

        Assert.True(refused.IsRefusal);
    }

    /// <summary>
    /// 20 objects of 50 MB, then deleted: the server's resident set must fall by at least 80 % of what was stored
    /// (before, it stayed at its peak for good). The server returns the memory a second after it sees the store shrink;
    /// the wait is bounded.
    /// </summary>
    [Fact]
    public async Task ObjectStorageServer_GivesTheMemoryOfDeletedObjectsBack()
    {
        const int count = 20;
        const int size = 50_000_000;
        var port = FreePorts.FindConsecutive(1);
        await using var server = CliProcess.Start("object-storage-server", $"tcp://127.0.0.1:{port}");
        await server.WaitForLineAsync("listening on", Bound);
        using var cts = new CancellationTokenSource(Bound);
        await using var client = await ConnectAsync(port, cts.Token);
        var payload = new byte[size];
        Random.Shared.NextBytes(payload.AsSpan(0, 4096));
        var ids = new List<ObjectId>();
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload, i); // distinct contents: nothing is deduplicated
            var id = ObjectId.NewUnique(Owner);
            await client.SetAsync(id, payload, cts.Token);
            ids.Add(id);
        }

        var peak = ResidentBytes(server.Id);
        Assert.True(peak > (long)count * size, $"resident set at peak {peak} bytes is below the {count * (long)size} stored");
        foreach (var id in ids)
        {
            Assert.True(await client.DeleteAsync(id, cts.Token));
        }

        var bound = peak - (long)(0.8 * count * size);
        long resident;
        while ((resident = ResidentBytes(server.Id)) > bound)
        {
            Assert.False(cts.IsCancellationRequested, $"resident set still {resident} bytes (peak {peak}, bound {bound})");
            await Task.Delay(100, CancellationToken.None);
        }

        // The server logs the return once the collection is over, which may come just after the drop is seen.
        await server.WaitForLineAsync("Returned memory to the system", Bound);
    }

    private static Task<ObjectStorageClient> ConnectAsync(int port, CancellationToken cancellationToken) =>
        ObjectStorageClient.ConnectAsync(
            ScalerAddress.Parse($"tcp://127.0.0.1:{port}"), "Client|limits-e2e", NullLoggerFactory.Instance, cancellationToken);

    /// <summary>VmRSS of a process, from /proc/PID/status.</summary>
    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                return kilobytes * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS line in /proc/{pid}/status");
    }
}
