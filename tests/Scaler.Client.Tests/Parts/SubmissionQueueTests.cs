using Scaler.ClientTests.Support;
using Scaler.Functions;
using Scaler.Internal;

namespace Scaler.ClientTests.Parts;

/// <summary><see cref="SubmissionQueue"/>: order, registration and the race with closing.</summary>
public sealed class SubmissionQueueTests
{
    private readonly PendingTasks _pending = new();
    private readonly ShippableFunction _function = ShippableFunction.Capture(RemoteFunctions.Square);
    private bool _leaving;
    private readonly SubmissionQueue _queue;

    public SubmissionQueueTests() => _queue = new SubmissionQueue(new SubmissionBuilder(ClientIdentity.CreateNew()), _pending, () => _leaving);

    [Fact]
    public void EnqueueTask_RegistersTheFutureAndQueuesInOrder()
    {
        var first = Future();
        var second = Future();

        _queue.EnqueueTask(first, "Square", _function.Package(1), TaskSettings.Default);
        _queue.EnqueueTask(second, "Square", _function.Package(1), TaskSettings.Default);

        Assert.Equal(2, _pending.Count);
        Assert.True(_queue.Reader.TryRead(out var a));
        Assert.True(_queue.Reader.TryRead(out var b));
        Assert.Equal([first.TaskId], ((Submission)a).TaskIds);
        Assert.NotEmpty(((Submission)a).Uploads); // the first stores the objects the second reuses
        Assert.Equal([second.TaskId], ((Submission)b).TaskIds);
        Assert.Empty(((Submission)b).Uploads);
    }

    [Fact]
    public void EnqueueCancel_OnlyForAPendingTask()
    {
        var future = Future();
        _queue.EnqueueTask(future, "Square", _function.Package(2), TaskSettings.Default);
        Assert.True(_queue.Reader.TryRead(out _));

        _queue.EnqueueCancel(TaskIds.New());
        _queue.EnqueueCancel(future.TaskId);

        Assert.True(_queue.Reader.TryRead(out var cancel));
        Assert.Same(future.TaskId, Assert.IsType<CancelRequest>(cancel).TaskId);
        Assert.False(_queue.Reader.TryRead(out _));
    }

    [Fact]
    public async Task TryClose_KeepsTheFirstReasonEndsTheQueueAndRefusesLaterSubmissions()
    {
        var queued = Future();
        _queue.EnqueueTask(queued, "Square", _function.Package(3), TaskSettings.Default);
        var reason = new ScalerClientException("scheduler lost");

        Assert.True(_queue.TryClose(reason));
        Assert.False(_queue.TryClose(new ScalerClientException("later")));

        Assert.Same(reason, _queue.ClosedError);
        Assert.True(_queue.Reader.TryRead(out _)); // what was queued before is still there for the send loop
        await _queue.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var error = Assert.Throws<ScalerClientException>(() => _queue.EnqueueTask(Future(), "Square", _function.Package(4), TaskSettings.Default));
        Assert.Equal("the client cannot submit tasks any more: scheduler lost", error.Message);
        Assert.Equal(1, _pending.Count); // only the task queued before the close, which the close fails
    }

    [Fact]
    public void ThrowIfClosed_ClientLeaving_IsAUseAfterDispose()
    {
        _leaving = true;

        Assert.Throws<ObjectDisposedException>(() => _queue.EnqueueTask(Future(), "Square", _function.Package(5), TaskSettings.Default));
        Assert.Equal(0, _pending.Count);
    }

    [Fact]
    public void EnqueueGraph_RegistersTheGraphAndItsTargets()
    {
        var graph = new TaskGraph().Value("a", 1).Call("b", RemoteFunctions.Inc, "a");
        var plan = GraphPlan.Create(graph, ["b"], new FunctionCache(MessagePackScalerSerializer.Instance), MessagePackScalerSerializer.Instance);
        var taskIds = plan.Calls.ToDictionary(c => c.Node.Key, _ => TaskIds.New(), StringComparer.Ordinal);
        var umbrella = new GraphUmbrella(TaskIds.New());
        var target = new RecordingPendingTask(taskIds["b"]);

        _queue.EnqueueGraph(umbrella, [target], plan, taskIds, TaskSettings.Default);

        Assert.True(_pending.Contains(umbrella.TaskId));
        Assert.True(_pending.Contains(target.TaskId));
        Assert.True(_queue.Reader.TryRead(out var item));
        Assert.Equal([umbrella.TaskId, target.TaskId], ((Submission)item).TaskIds);
    }

    [Fact]
    public void EnqueueTask_WithNoSendLoopReading_NeverWaitsAndNeverDrops()
    {
        // The documented full policy (docs/transport.md, "Queues and their full policies"): Submit is synchronous and
        // returns at once, so the queue never makes it wait for the send loop, and never drops.
        const int Count = 10_000; // more than two of the send loop's batches
        var futures = Enumerable.Range(0, Count).Select(_ => Future()).ToList();
        foreach (var future in futures)
        {
            _queue.EnqueueTask(future, "Square", _function.Package(3), TaskSettings.Default);
        }

        Assert.Equal(Count, _pending.Count);
        foreach (var future in futures)
        {
            Assert.True(_queue.Reader.TryRead(out var queued));
            Assert.Equal([future.TaskId], ((Submission)queued).TaskIds);
        }

        Assert.False(_queue.Reader.TryRead(out _));
    }

    private FutureStub Future() => new(TaskIds.New(), _function);

    /// <summary>A pending task with a function (the queue builds its submission from it).</summary>
    private sealed class FutureStub(byte[] taskId, ShippableFunction function) : IPendingTask
    {
        public byte[] TaskId { get; } = taskId;

        public ShippableFunction Function { get; } = function;

        public bool IsCompleted => false;

        public bool ExpectsResultObject => true;

        public bool DeletesResult => true;

        public void CompleteWithResult(ReadOnlyMemory<byte> resultObject)
        {
        }

        public void Fail(Exception error)
        {
        }

        public void MarkCanceled()
        {
        }
    }
}
