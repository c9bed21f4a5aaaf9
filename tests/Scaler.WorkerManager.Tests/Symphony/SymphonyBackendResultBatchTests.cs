using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Local;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// Results that finish while other tasks are held wait for the batch window, then are stored together and reported
/// once stored; a result that finishes when nothing else is held is stored and reported at once.
/// </summary>
public sealed class SymphonyBackendResultBatchTests
{
    private const string Application = "ScalerResultBatchApp";
    private const string Client = "Client|result-batch-test";
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task ResultsFinishingWhileOthersRun_WaitForTheWindow_ThenAreReportedStoredAndReadable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cts.Token);
        await using var storage = await ObjectStorageClient.ConnectAsync(server.LocalAddress, Client, NullLoggerFactory.Instance, cts.Token);
        using var local = new LocalSoamApi([LocalApplicationProfile.ForScaler(Application, maxInstances: 1)], NullLoggerFactory.Instance);
        var api = new RecordingSoamApi(local);
        using var sink = new BackendTestKit.RecordingSink();
        var time = new FakeTimeProvider();
        await using var backend = new SymphonyExecutionBackend(
            api,
            new SymphonyBackendOptions
            {
                ApplicationName = Application,
                WorkerIdentity = "result-batch-test",
                MaxTaskConcurrency = 1,
                CompletionBatchWindow = Window,
                TimeProvider = time,
            },
            NullLoggerFactory.Instance);
        await backend.StartAsync(server.LocalAddress, sink, cts.Token);
        await BackendTestKit.EventuallyAsync(() => backend.CanAccept, cts.Token);

        // Alone: reported at once, although the window's clock never moves.
        var alone = await CreateAsync(storage, SymphonyFunctions.Identity, 7, cts.Token);
        await backend.SubmitAsync(alone, cts.Token);
        await sink.WaitForAsync(1, cts.Token);

        // A slow task takes the one slot; three more are prepared behind it, in this order.
        var slow = await CreateAsync(storage, SymphonyFunctions.SlowNegate, 1, cts.Token);
        await backend.SubmitAsync(slow, cts.Token);
        await BackendTestKit.EventuallyAsync(() => api.InputCount == 2, cts.Token);
        var first = await CreateAsync(storage, SymphonyFunctions.Square, 3, cts.Token);
        var second = await CreateAsync(storage, SymphonyFunctions.Square, 4, cts.Token);
        var last = await CreateAsync(storage, SymphonyFunctions.SlowNegate, 5, cts.Token);
        foreach (var task in new[] { first, second, last })
        {
            var held = backend.EnvelopeBytesHeld;
            await backend.SubmitAsync(task, cts.Token);
            await BackendTestKit.EventuallyAsync(() => backend.EnvelopeBytesHeld > held, cts.Token);
        }

        // The slow one and the two quick ones finish while the last still runs: they wait for the window.
        await BackendTestKit.EventuallyAsync(() => backend.TasksHeld == 1, cts.Token);
        Assert.Single(await sink.WaitForAsync(0, cts.Token));

        time.Advance(Window);
        var afterWindow = await sink.WaitForAsync(3, cts.Token);
        Assert.Equal([alone.TaskId, slow.TaskId, first.TaskId, second.TaskId], afterWindow.Select(c => c.TaskId));
        Assert.Equal(1, backend.TasksHeld);

        // The last finishes with nothing else held: reported at once.
        var all = await sink.WaitForAsync(1, cts.Token);
        Assert.Equal(5, all.Count);
        Assert.Equal(last.TaskId, all[^1].TaskId);
        foreach (var completion in all)
        {
            Assert.Equal(TaskResultType.Success, completion.ResultType);
            Assert.True(completion.Payload.IsEmpty);
            Assert.NotNull(completion.StoredResult);
            var stored = await storage.GetAsync(completion.StoredResult.Value, cts.Token);
            Assert.False(stored.IsEmpty);
        }
    }

    private static Task<TaskMessage> CreateAsync(ObjectStorageClient storage, Func<int, int> function, int argument, CancellationToken cancellationToken) =>
        BackendTestKit.CreateTaskAsync(storage, Client, PackagedCall.Create(function, argument), cancellationToken);
}
