using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Local;
using Scaler.Worker.Execution;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// The Symphony backend prepares tasks ahead of its concurrency bound, but starts no preparation while the envelopes it
/// holds reach <see cref="SymphonyBackendOptions.MaxEnvelopeBytesAhead"/>.
/// </summary>
public sealed class SymphonyBackendEnvelopeBoundTests
{
    private const string Application = "ScalerEnvelopeBoundApp";
    private const int ArgumentBytes = 700 * 1024;
    private const string Client = "Client|bound-test";

    [Fact]
    public async Task TasksAhead_EnvelopesReachTheByteBound_LaterTasksWaitUnpreparedAndStillComplete()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cts.Token);
        await using var storage = await ObjectStorageClient.ConnectAsync(server.LocalAddress, Client, NullLoggerFactory.Instance, cts.Token);
        using var api = new LocalSoamApi([LocalApplicationProfile.ForScaler(Application, maxInstances: 1)], NullLoggerFactory.Instance);
        using var sink = new BackendTestKit.RecordingSink();
        await using var backend = new SymphonyExecutionBackend(
            api,
            new SymphonyBackendOptions
            {
                ApplicationName = Application,
                WorkerIdentity = "bound-test",
                MaxTaskConcurrency = 1,
                TasksAhead = 8,
                MaxEnvelopeBytesAhead = 1024 * 1024,
            },
            NullLoggerFactory.Instance);
        await backend.StartAsync(server.LocalAddress, sink, cts.Token);
        while (!backend.CanAccept)
        {
            await Task.Delay(20, cts.Token);
        }

        // A first task takes the code to the service, so later envelopes name it by hash and weigh their argument.
        var warmUp = await BackendTestKit.CreateTaskAsync(storage, Client, PackagedCall.Create(new Func<int, int>(SymphonyFunctions.Identity), 3), cts.Token);
        await backend.SubmitAsync(warmUp, cts.Token);
        await sink.WaitForAsync(1, cts.Token);
        Assert.Equal(0, backend.EnvelopeBytesHeld);

        var tasks = new List<TaskMessage>();
        for (var i = 0; i < 5; i++)
        {
            tasks.Add(await BackendTestKit.CreateTaskAsync(storage, Client, PackagedCall.Create(new Func<byte[], int>(SymphonyFunctions.SlowLength), new byte[ArgumentBytes + i]), cts.Token));
        }

        // The first two are prepared one after the other: 1.4 MB of envelopes, over the 1 MiB bound.
        await backend.SubmitAsync(tasks[0], cts.Token);
        await BackendTestKit.EventuallyAsync(() => backend.EnvelopeBytesHeld > ArgumentBytes, cts.Token);
        await backend.SubmitAsync(tasks[1], cts.Token);
        await BackendTestKit.EventuallyAsync(() => backend.EnvelopeBytesHeld > 2 * ArgumentBytes, cts.Token);

        // The first sleeps in Symphony for a second; until it ends the rest are held but not prepared.
        for (var i = 2; i < 5; i++)
        {
            Assert.True(backend.CanAccept);
            await backend.SubmitAsync(tasks[i], cts.Token);
        }

        Assert.Equal(3, backend.TasksAwaitingPreparation);
        Assert.True(backend.EnvelopeBytesHeld < 3 * ArgumentBytes);

        var completions = (await sink.WaitForAsync(5, cts.Token)).Where(c => !c.TaskId.SequenceEqual(warmUp.TaskId)).ToList();
        Assert.All(completions, c => Assert.Equal(TaskResultType.Success, c.ResultType));
        Assert.Equal(tasks.Select(t => Convert.ToHexString(t.TaskId)).Order(), completions.Select(c => Convert.ToHexString(c.TaskId)).Order());
        Assert.Equal(0, backend.EnvelopeBytesHeld);
        Assert.Equal(0, backend.TasksAwaitingPreparation);
    }
}
