using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.ObjectStorage.Store;
using Scaler.Worker.Processors;

namespace Scaler.Worker.Tests;

public sealed class ResultStoresTests
{
    private static readonly ObjectOwner Owner = ObjectOwner.FromClientIdentity("Client|stores"u8);

    [Fact]
    public async Task SetOnABrokenConnection_IsSentAgainOnAFreshOne_AndNothingFails()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await StartServerAsync(timeout.Token);
        var broken = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "Processor|broken", NullLoggerFactory.Instance, timeout.Token);
        await broken.DisposeAsync();
        using var failed = new CancellationTokenSource();
        var reconnects = 0;
        var stores = new ResultStores(
            broken,
            ct =>
            {
                reconnects++;
                return ObjectStorageClient.ConnectAsync(server.LocalAddress, $"Processor|retry|{reconnects}", NullLoggerFactory.Instance, ct);
            },
            failed,
            NullLogger.Instance);
        var id = ObjectId.NewUnique(Owner);

        stores.Start(id, "the result"u8.ToArray(), timeout.Token);
        await stores.DrainAsync().WaitAsync(timeout.Token);

        Assert.Null(stores.Failure);
        Assert.False(failed.IsCancellationRequested);
        Assert.Equal(1, reconnects);
        await using var reader = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "Client|stores", NullLoggerFactory.Instance, timeout.Token);
        Assert.Equal("the result"u8.ToArray(), (await reader.GetAsync(id, timeout.Token)).ToArray());
    }

    [Fact]
    public async Task SetThatFailsEveryAttempt_RecordsTheFailure_AndCancelsTheProcessor()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await StartServerAsync(timeout.Token);
        var broken = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "Processor|broken", NullLoggerFactory.Instance, timeout.Token);
        await broken.DisposeAsync();
        using var failed = new CancellationTokenSource();
        var reconnects = 0;
        var stores = new ResultStores(
            broken,
            _ =>
            {
                reconnects++;
                return Task.FromException<ObjectStorageClient>(new IOException("object storage unreachable"));
            },
            failed,
            NullLogger.Instance);

        stores.Start(ObjectId.NewUnique(Owner), "lost"u8.ToArray(), timeout.Token);
        await stores.DrainAsync().WaitAsync(timeout.Token);

        Assert.IsType<IOException>(stores.Failure);
        Assert.True(failed.IsCancellationRequested);
        Assert.Equal(ResultStores.Attempts - 1, reconnects);
    }

    private static Task<ObjectStorageServer> StartServerAsync(CancellationToken cancellationToken) =>
        ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cancellationToken);
}
