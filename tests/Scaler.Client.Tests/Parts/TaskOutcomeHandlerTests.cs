using Microsoft.Extensions.Logging.Abstractions;
using Scaler.ClientTests.Support;
using Scaler.Identity;
using Scaler.Internal;
using Scaler.Protocol.Messages;

namespace Scaler.ClientTests.Parts;

/// <summary><see cref="TaskOutcomeHandler"/>: how each outcome ends a pending task, against an in-memory store.</summary>
public sealed class TaskOutcomeHandlerTests : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly ClientIdentity _identity = ClientIdentity.CreateNew();
    private readonly FakeObjectStore _store = new();
    private readonly PendingTasks _pending = new();
    private readonly EarlyResultGets _early;
    private readonly TaskOutcomeHandler _handler;

    public TaskOutcomeHandlerTests()
    {
        var objects = new ResultObjects(_store, NullLogger.Instance, _timeout.Token);
        _early = new EarlyResultGets(objects, _pending, _identity.Owner);
        _handler = new TaskOutcomeHandler(_pending, _early, objects, NullLogger.Instance);
    }

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task OnTaskResult_Success_ReadsTheResultObjectCompletesTheTaskAndDeletesIt()
    {
        var task = Pending();
        var resultId = ObjectId.NewUnique(_identity.Owner);
        _store.Put(resultId, [42]);

        _handler.OnTaskResult(new TaskResult { TaskId = task.TaskId, ResultType = TaskResultType.Success, Results = [resultId.ToBytes()] });

        Assert.Equal("result", await task.Ended.WaitAsync(_timeout.Token));
        Assert.Equal([42], task.Result);
        Assert.Equal(1, _store.Count("delete", resultId));
        Assert.False(_pending.Contains(task.TaskId));
    }

    [Fact]
    public async Task OnTaskResult_WorkerDied_FailsWithWorkerDiedAndEndsTheEarlyGet()
    {
        var task = Pending();
        _early.Start(task.TaskId);

        _handler.OnTaskResult(new TaskResult { TaskId = task.TaskId, ResultType = TaskResultType.FailedWorkerDied });

        Assert.Equal("failed", await task.Ended.WaitAsync(_timeout.Token));
        Assert.IsType<WorkerDiedException>(task.Error);
        Assert.Equal(0, _early.Count);
        Assert.Equal(0, _store.WaitingGets);
    }

    [Fact]
    public async Task OnTaskResult_TwoResultObjects_FailsNamingTheCount()
    {
        var task = Pending();

        _handler.OnTaskResult(new TaskResult
        {
            TaskId = task.TaskId,
            ResultType = TaskResultType.Success,
            Results = [ObjectId.NewUnique(_identity.Owner).ToBytes(), ObjectId.NewUnique(_identity.Owner).ToBytes()],
        });

        Assert.Equal("failed", await task.Ended.WaitAsync(_timeout.Token));
        Assert.Contains("with 2 result object(s) instead of one", task.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnTaskResult_GraphDone_CompletesTheGraphWithoutReadingAnything()
    {
        var graph = new RecordingPendingTask(TaskIds.New(), deletesResult: false, expectsResultObject: false);
        _pending.Add(graph);

        _handler.OnTaskResult(new TaskResult { TaskId = graph.TaskId, ResultType = TaskResultType.Success });

        Assert.Equal("result", await graph.Ended.WaitAsync(_timeout.Token));
        Assert.Empty(_store.Requests);
    }

    [Fact]
    public void OnTaskResult_UnknownTask_ChangesNothing()
    {
        var task = Pending();

        _handler.OnTaskResult(new TaskResult { TaskId = TaskIds.New(), ResultType = TaskResultType.FailedWorkerDied });

        Assert.Equal(0, task.Endings);
        Assert.True(_pending.Contains(task.TaskId));
    }

    [Theory]
    [InlineData(TaskCancelConfirmType.Canceled, "canceled")]
    [InlineData(TaskCancelConfirmType.CancelNotFound, "canceled")]
    public async Task OnCancelConfirm_CanceledOrNotFound_CancelsTheTaskAndEndsItsEarlyGet(TaskCancelConfirmType type, string ended)
    {
        var task = Pending();
        _early.Start(task.TaskId);

        _handler.OnCancelConfirm(new TaskCancelConfirm { TaskId = task.TaskId, CancelConfirmType = type });

        Assert.Equal(ended, await task.Ended.WaitAsync(_timeout.Token));
        Assert.Equal(0, _early.Count);
    }

    [Fact]
    public void OnCancelConfirm_CancelFailed_LeavesTheTaskAndItsEarlyGetForTheResult()
    {
        var task = Pending();
        _early.Start(task.TaskId);

        _handler.OnCancelConfirm(new TaskCancelConfirm { TaskId = task.TaskId, CancelConfirmType = TaskCancelConfirmType.CancelFailed });

        Assert.Equal(0, task.Endings);
        Assert.Equal(1, _early.Count);
        Assert.True(_pending.Contains(task.TaskId));
    }

    [Fact]
    public async Task OnObjectsNotStored_FailsEachTaskNamingTheStoreAndTheReason()
    {
        var task = Pending();
        var submission = new Submission(new TaskMessage { TaskId = task.TaskId }, [task.TaskId], [], []);

        _handler.OnObjectsNotStored([submission], new IOException("store full"));

        Assert.Equal("failed", await task.Ended.WaitAsync(_timeout.Token));
        Assert.Equal(
            $"could not store the objects of task {Convert.ToHexStringLower(task.TaskId)} in the object storage at tcp://127.0.0.1:9: store full",
            task.Error!.Message);
    }

    private RecordingPendingTask Pending()
    {
        var task = new RecordingPendingTask(TaskIds.New());
        _pending.Add(task);
        return task;
    }
}
