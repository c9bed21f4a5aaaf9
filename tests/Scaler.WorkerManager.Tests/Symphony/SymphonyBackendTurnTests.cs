using Microsoft.Extensions.Logging.Abstractions;
using Scaler.Functions;
using Scaler.IO.Addressing;
using Scaler.IO.Threading;
using Scaler.ObjectStorage.Client;
using Scaler.ObjectStorage.Server;
using Scaler.Protocol.Messages;
using Scaler.Symphony.Local;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// Decision 24: a task is never sent into a SOAM backend that may block (IBM's) from inside a transport turn, where it
/// would stall the thread that serves the manager's sockets; the local engine's send, which only writes to a pipe, is
/// made in the turn.
/// </summary>
public sealed class SymphonyBackendTurnTests
{
    private const string Application = "ScalerTurnApp";
    private const string Client = "Client|turn-test";
    private const int Tasks = 6;

    [Fact]
    public async Task BackendThatMayBlock_TasksPreparedInATurn_AreSentFromOutsideIt()
    {
        var inTurn = await SendAsync("remote-stand-in");

        Assert.Equal(Tasks, inTurn.Count);
        Assert.DoesNotContain(true, inTurn);
    }

    [Fact]
    public async Task LocalEngine_TasksPreparedInATurn_AreSentInIt()
    {
        // The other half of the decision, and the proof that the case above really prepares its tasks in turns.
        var inTurn = await SendAsync(LocalSoamApi.Name);

        Assert.Equal(Tasks, inTurn.Count);
        Assert.Contains(true, inTurn);
    }

    /// <summary>Runs <see cref="Tasks"/> tasks submitted from inside a turn; returns, per send, whether it was made in one.</summary>
    private static async Task<IReadOnlyList<bool>> SendAsync(string backendName)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var server = await ObjectStorageServer.StartAsync(
            new ObjectStorageServerOptions { Address = ScalerAddress.Parse("tcp://127.0.0.1:0") }, NullLoggerFactory.Instance, cts.Token);
        await using var storage = await ObjectStorageClient.ConnectAsync(server.LocalAddress, Client, NullLoggerFactory.Instance, cts.Token);
        using var local = new LocalSoamApi([LocalApplicationProfile.ForScaler(Application, maxInstances: 1)], NullLoggerFactory.Instance);
        var api = new RecordingSoamApi(local, backendName);
        using var sink = new BackendTestKit.RecordingSink();
        await using var backend = new SymphonyExecutionBackend(
            api,
            new SymphonyBackendOptions { ApplicationName = Application, WorkerIdentity = "turn-test", MaxTaskConcurrency = 1 },
            NullLoggerFactory.Instance);
        await backend.StartAsync(server.LocalAddress, sink, cts.Token);
        await BackendTestKit.EventuallyAsync(() => backend.CanAccept, cts.Token);

        // A function without arguments, run once so its serializer and function objects are cached: the tasks after it
        // need no fetch, so their envelopes are built at once, inside the turn that submits them.
        var first = await BackendTestKit.CreateTaskAsync(storage, Client, PackagedCall.Create(new Func<int>(SymphonyFunctions.FortyTwo)), cts.Token);
        await backend.SubmitAsync(first, cts.Token);
        await sink.WaitForAsync(1, cts.Token);
        var sendsBefore = api.SentInTurn.Count;
        var tasks = Enumerable.Range(0, Tasks)
            .Select(_ => new TaskMessage { TaskId = Guid.NewGuid().ToByteArray(), Source = first.Source, FuncObjectId = first.FuncObjectId })
            .ToList();

        // Submitted inside a turn, as the worker agent's loop does: with every object cached, each envelope is built
        // and handed to Send before SubmitAsync returns, still in the turn.
        var opened = TurnContext.Begin();
        try
        {
            foreach (var task in tasks)
            {
                // Completes at once (it only starts the preparation), so nothing here awaits inside the turn.
                Assert.True(backend.SubmitAsync(task, cts.Token).AsTask().IsCompletedSuccessfully);
            }
        }
        finally
        {
            TurnContext.End(opened);
        }

        var completions = await sink.WaitForAsync(Tasks, cts.Token);
        Assert.Equal(Tasks + 1, completions.Count);
        Assert.All(completions, c => Assert.Equal(TaskResultType.Success, c.ResultType));
        return [.. api.SentInTurn.Skip(sendsBefore)];
    }
}
