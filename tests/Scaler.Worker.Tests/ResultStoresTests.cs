using Microsoft.Extensions.Logging.Abstractions;
using Scaler.IO.Addressing;
using Scaler.Identity;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
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

        var reported = 0;
        await stores.Start(id, "the result"u8.ToArray(), () => { reported++; return ValueTask.CompletedTask; }, null, timeout.Token);
        await stores.DrainAsync().WaitAsync(timeout.Token);

        // Reported once, and only after the object landed (on the retry).
        Assert.Equal(1, reported);
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

        var reported = false;
        await stores.Start(ObjectId.NewUnique(Owner), "lost"u8.ToArray(), () => { reported = true; return ValueTask.CompletedTask; }, null, timeout.Token);
        await stores.DrainAsync().WaitAsync(timeout.Token);

        // Never reported: the worker runs the task again when this processor ends.
        Assert.False(reported);
        Assert.IsType<IOException>(stores.Failure);
        Assert.True(failed.IsCancellationRequested);
        Assert.Equal(ResultStores.Attempts - 1, reconnects);
    }

    [Fact]
    public async Task SetRefusedAsTooLarge_IsNotRetried_AndGoesToTheRefusalHandler_WithTheReason()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await StartServerAsync(timeout.Token, maxObjectBytes: 1000);
        var storage = await ObjectStorageClient.ConnectAsync(server.LocalAddress, "Processor|refused", NullLoggerFactory.Instance, timeout.Token);
        await using var _ = storage;
        using var failed = new CancellationTokenSource();
        var reconnects = 0;
        var stores = new ResultStores(
            storage,
            _ =>
            {
                reconnects++;
                return Task.FromException<ObjectStorageClient>(new IOException("not expected"));
            },
            failed,
            NullLogger.Instance);

        var reported = false;
        ObjectStorageException? refusal = null;
        await stores.Start(
            ObjectId.NewUnique(Owner),
            new byte[5000],
            () => { reported = true; return ValueTask.CompletedTask; },
            e => { refusal = e; return ValueTask.CompletedTask; },
            timeout.Token);
        await stores.DrainAsync().WaitAsync(timeout.Token);

        // The processor goes on: a refusal is the task's outcome, not a storage failure.
        Assert.False(reported);
        Assert.NotNull(refusal);
        Assert.True(refusal.IsRefusal);
        Assert.Contains("1000", refusal.Message, StringComparison.Ordinal);
        Assert.Null(stores.Failure);
        Assert.False(failed.IsCancellationRequested);
        Assert.Equal(0, reconnects);
    }

    private static Task<ObjectStorageServer> StartServerAsync(CancellationToken cancellationToken, long maxObjectBytes = ObjectStorageServerOptions.DefaultMaxObjectBytes) =>
        ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0"), MaxObjectBytes = maxObjectBytes },
            NullLoggerFactory.Instance,
            cancellationToken);
}
