using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scaler.IO.Threading;
using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// The result reporter on its own, with a store whose sets the test answers: results of a busy backend are stored
/// together in one transport turn when their window ends, each is reported only once its set is answered, and a set
/// that fails hands the result's bytes to the agent.
/// </summary>
public sealed class SymphonyResultReporterTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ResultsWhileOthersHeld_StoredTogetherInOneTurnAtTheWindow_FailedSetHandsItsBytesToTheAgent()
    {
        using var cts = new CancellationTokenSource(Bound);
        var time = new FakeTimeProvider();
        var store = new AnsweredStore();
        using var sink = new BackendTestKit.RecordingSink();
        using var reporter = new SymphonyResultReporter(store.SetAsync, sink, Window, time, NullLogger.Instance);
        var tasks = Enumerable.Range(0, 3).Select(_ => NewTask()).ToList();
        var payloads = tasks.Select((_, i) => Encoding.UTF8.GetBytes("result " + i)).ToList();

        for (var i = 0; i < tasks.Count; i++)
        {
            reporter.Add(tasks[i], TaskResultType.Success, payloads[i], othersHeld: true);
        }

        Assert.Equal(3, reporter.Waiting);
        Assert.Empty(store.Sets);

        time.Advance(Window);

        var sets = store.Sets;
        Assert.Equal(3, sets.Count);
        Assert.All(sets, s => Assert.True(s.InTurn, "a set of the batch was issued outside a transport turn"));
        Assert.Equal(tasks.Select(ResultObject), sets.Select(s => s.Id));
        Assert.Equal(payloads, sets.Select(s => s.Payload));
        Assert.Equal(0, reporter.Waiting);
        Assert.Empty(await sink.WaitForAsync(0, cts.Token));

        // Nothing is reported before its set is answered (decision 14); the failed one is handed over with its bytes.
        sets[0].Answer.SetResult();
        sets[1].Answer.SetException(new IOException("object storage connection lost"));
        sets[2].Answer.SetResult();
        var reported = await sink.WaitForAsync(3, cts.Token);

        Assert.Equal(tasks.Select(t => t.TaskId), reported.Select(c => c.TaskId));
        Assert.Equal(ResultObject(tasks[0]), reported[0].StoredResult);
        Assert.Null(reported[1].StoredResult);
        Assert.Equal(payloads[1], reported[1].Payload.ToArray());
        Assert.Equal(TaskResultType.Success, reported[1].ResultType);
        Assert.Equal(ResultObject(tasks[2]), reported[2].StoredResult);
    }

    [Fact]
    public async Task LoneResult_StoredAtOnce_ReportedWhenItsSetIsAnswered()
    {
        using var cts = new CancellationTokenSource(Bound);
        var store = new AnsweredStore();
        using var sink = new BackendTestKit.RecordingSink();
        using var reporter = new SymphonyResultReporter(store.SetAsync, sink, Window, new FakeTimeProvider(), NullLogger.Instance);
        var task = NewTask();

        reporter.Add(task, TaskResultType.Failed, "error"u8.ToArray(), othersHeld: false);

        var set = Assert.Single(store.Sets);
        Assert.Equal(ObjectId.ForTaskOutcome(ObjectOwner.FromClientIdentity(task.Source), task.TaskId, succeeded: false), set.Id);
        Assert.Empty(await sink.WaitForAsync(0, cts.Token));
        set.Answer.SetResult();
        var reported = Assert.Single(await sink.WaitForAsync(1, cts.Token));
        Assert.Equal(TaskResultType.Failed, reported.ResultType);
        Assert.Equal(set.Id, reported.StoredResult);
    }

    [Fact]
    public void Dispose_StoresTheResultsWaitingForTheirWindow()
    {
        var store = new AnsweredStore();
        using var sink = new BackendTestKit.RecordingSink();
        var reporter = new SymphonyResultReporter(store.SetAsync, sink, Window, new FakeTimeProvider(), NullLogger.Instance);
        reporter.Add(NewTask(), TaskResultType.Success, "r"u8.ToArray(), othersHeld: true);
        Assert.Empty(store.Sets);

        reporter.Dispose();

        Assert.Single(store.Sets);
    }

    private static TaskMessage NewTask() =>
        new() { TaskId = Guid.NewGuid().ToByteArray(), Source = "Client|reporter-test"u8.ToArray(), FuncObjectId = new byte[32] };

    private static ObjectId ResultObject(TaskMessage task) =>
        ObjectId.ForTaskOutcome(ObjectOwner.FromClientIdentity(task.Source), task.TaskId, succeeded: true);

    /// <summary>Records each set, whether it was issued in a transport turn, and lets the test answer it.</summary>
    private sealed class AnsweredStore
    {
        private readonly List<(ObjectId Id, byte[] Payload, bool InTurn, TaskCompletionSource Answer)> _sets = [];

        public IReadOnlyList<(ObjectId Id, byte[] Payload, bool InTurn, TaskCompletionSource Answer)> Sets
        {
            get
            {
                lock (_sets)
                {
                    return [.. _sets];
                }
            }
        }

        public Task SetAsync(ObjectId id, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_sets)
            {
                _sets.Add((id, payload.ToArray(), TurnContext.InTurn, answer));
            }

            return answer.Task;
        }
    }
}
