using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.ObjectStorage.Store;
using Scaler.Worker.Processors;

namespace Scaler.Worker.Tests;

public sealed class SharedObjectCacheTests
{
    [Fact]
    public async Task GetAsync_FetchesEachObjectOnce_AndForgetsNothingBeforeCapacity()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cts.Token);
        await using var storage = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "Client|cache", NullLoggerFactory.Instance, cts.Token);
        var owner = ObjectOwner.FromClientIdentity("Client|cache"u8);
        var function = ObjectId.NewUnique(owner);
        await storage.SetAsync(function, "function bytes"u8.ToArray(), cts.Token);
        var cache = new SharedObjectCache(storage);

        var first = await cache.GetAsync(function, cts.Token);
        Assert.True(await storage.DeleteAsync(function, cts.Token));
        var second = await cache.GetAsync(function, cts.Token); // served from the cache: storage no longer has it

        Assert.Equal("function bytes"u8.ToArray(), first.ToArray());
        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task GetAsync_BeyondCapacity_StartsOver()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cts.Token);
        await using var storage = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "Client|cache", NullLoggerFactory.Instance, cts.Token);
        var owner = ObjectOwner.FromClientIdentity("Client|cache"u8);
        var cache = new SharedObjectCache(storage);
        for (var i = 0; i <= SharedObjectCache.Capacity; i++)
        {
            var id = ObjectId.NewUnique(owner);
            await storage.SetAsync(id, new[] { (byte)i }, cts.Token);
            await cache.GetAsync(id, cts.Token);
        }

        Assert.Equal(1, cache.Count);
    }
}
