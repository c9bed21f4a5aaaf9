using Scaler.Functions;
using Scaler.Symphony.Service;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// The Symphony path end to end on 127.0.0.1: .NET client → scheduler → Symphony worker manager → local SOAM engine →
/// Scaler task service in instance processes, and back. One cluster (max-task-concurrency 2) serves every test.
/// </summary>
public sealed class SymphonyEndToEndTests(SymphonyCluster cluster) : IClassFixture<SymphonyCluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Map_SquaresFifty()
    {
        using var cts = new CancellationTokenSource(Bound);

        var results = await cluster.Client.MapAsync(SymphonyFunctions.Square, Enumerable.Range(0, 50), cts.Token);

        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x), results);
    }

    [Fact]
    public async Task ThousandTasks_NeverMoreThanMaxTaskConcurrencyInsideTheService()
    {
        using var cts = new CancellationTokenSource(Bound);

        var results = await cluster.Client.MapAsync(SymphonyFunctions.Identity, Enumerable.Range(0, 1000), cts.Token);

        Assert.Equal(Enumerable.Range(0, 1000), results);
        var engine = cluster.Api.Engine ?? throw new InvalidOperationException("no SOAM connection was made");
        Assert.InRange(engine.MaxTasksInFlight, 1, SymphonyCluster.MaxTaskConcurrency);
    }

    [Fact]
    public async Task ThrowingTask_FailsWithTheRemoteTypeAndMessage()
    {
        using var cts = new CancellationTokenSource(Bound);

        var future = cluster.Client.Submit(SymphonyFunctions.Fail, 7);
        var error = await Assert.ThrowsAsync<TaskFailedException>(() => future.AsTask().WaitAsync(cts.Token));

        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteTypeName);
        Assert.Equal("the value 7 is not acceptable", error.RemoteMessage);
    }

    [Fact]
    public async Task InstanceKilledMidTask_TaskCompletesOnARetry()
    {
        using var cts = new CancellationTokenSource(Bound);
        await cluster.Client.MapAsync(SymphonyFunctions.Square, [1], cts.Token); // the session and engine exist
        var engine = cluster.Api.Engine ?? throw new InvalidOperationException("no SOAM connection was made");
        var starts = new List<(string TaskId, int Attempt)>();
        var killed = 0;
        void OnStarted(string sessionId, string taskId, int attempt)
        {
            lock (starts)
            {
                starts.Add((taskId, attempt));
            }

            if (Interlocked.Exchange(ref killed, 1) == 0)
            {
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300);
                    engine.KillInstanceRunning(sessionId, taskId);
                });
            }
        }

        engine.TaskStarted += OnStarted;
        try
        {
            var result = await cluster.Client.Submit(SymphonyFunctions.SlowNegate, 21).AsTask().WaitAsync(cts.Token);

            Assert.Equal(-21, result);
        }
        finally
        {
            engine.TaskStarted -= OnStarted;
        }

        lock (starts)
        {
            Assert.Equal(1, killed);
            Assert.True(starts.Count >= 2, $"the killed task was not run again (starts: {starts.Count})");
            Assert.Equal(starts[0].TaskId, starts[1].TaskId);
        }
    }

    [Fact]
    public async Task InstancesRestarted_CodeMissingAnswersAreResentWithBytes_AndEveryTaskCompletes()
    {
        using var cts = new CancellationTokenSource(Bound);
        var expected = Enumerable.Range(0, 20).Select(x => x * x).ToList();
        var warmUp = cluster.Api.InputCount;
        Assert.Equal(expected, await cluster.Client.MapAsync(SymphonyFunctions.Square, Enumerable.Range(0, 20), cts.Token));
        await cluster.Api.OutputsOfAsync(cluster.Api.InputsSince(warmUp), cts.Token);
        var engine = cluster.Api.Engine ?? throw new InvalidOperationException("no SOAM connection was made");
        var mark = cluster.Api.InputCount;

        // None may be running: on a slow machine the idle worker can be stopped (scaling=vanilla at an idle heartbeat)
        // before this line, and its session's instances with it. The next tasks then meet new instances all the same.
        engine.KillAllInstances();
        var results = await cluster.Client.MapAsync(SymphonyFunctions.Square, Enumerable.Range(0, 20), cts.Token);

        Assert.Equal(expected, results);
        var sent = cluster.Api.InputsSince(mark);
        var inputs = sent.Select(i => i.CarriesCode).ToList();
        var outputs = await cluster.Api.OutputsOfAsync(sent, cts.Token);
        var seen = $"inputs carrying code: [{string.Join(", ", inputs)}]; outputs: [{string.Join(", ", outputs)}]";
        // The code was known to the service before the restart (also to a worker started since: the ledger is the
        // manager's), so tasks name it by hash only ...
        Assert.True(inputs.Contains(false), seen);
        // ... the new instances (empty caches) answer code-missing, and each such answer is resent once, with bytes.
        var codeMissing = outputs.Count(k => k == SymphonyTaskResultKind.CodeMissing);
        Assert.True(codeMissing >= 1, "no code-missing answer after every instance was restarted; " + seen);
        Assert.True(codeMissing == inputs.Count(carried => carried), seen);
        Assert.True(outputs.Count(k => k == SymphonyTaskResultKind.Success) == 20, seen);
    }

    [Fact]
    public async Task SessionAborted_TasksRerunInANewSession()
    {
        using var cts = new CancellationTokenSource(Bound);
        await cluster.Client.MapAsync(SymphonyFunctions.Square, [1], cts.Token);
        var engine = cluster.Api.Engine ?? throw new InvalidOperationException("no SOAM connection was made");
        var session = cluster.Api.Session ?? throw new InvalidOperationException("no SOAM session was created");
        var sessionsBefore = cluster.Api.SessionsCreated;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStarted(string sessionId, string taskId, int attempt) => started.TrySetResult();
        engine.TaskStarted += OnStarted;

        var results = cluster.Client.MapAsync(SymphonyFunctions.SlowNegate, Enumerable.Range(1, 4), cts.Token);
        await started.Task.WaitAsync(cts.Token);
        engine.TaskStarted -= OnStarted;
        session.Abort("aborted by the test");

        Assert.Equal(Enumerable.Range(1, 4).Select(x => -x), await results);
        Assert.True(cluster.Api.SessionsCreated > sessionsBefore, "no new session was opened after the abort");
    }
}
