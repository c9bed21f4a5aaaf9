using Microsoft.Extensions.Logging.Abstractions;
using Scaler.ClientTests.Support;
using Scaler.Identity;
using Scaler.Internal;

namespace Scaler.ClientTests.Parts;

/// <summary><see cref="EarlyResultGets"/> against an in-memory store: no scheduler, no worker.</summary>
public sealed class EarlyResultGetsTests : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly ClientIdentity _identity = ClientIdentity.CreateNew();
    private readonly FakeObjectStore _store = new();
    private readonly PendingTasks _pending = new();
    private readonly EarlyResultGets _gets;

    public EarlyResultGetsTests() =>
        _gets = new EarlyResultGets(new ResultObjects(_store, NullLogger.Instance, _timeout.Token), _pending, _identity.Owner);

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task Start_ResultLandsUnderItsTaskResultId_CompletesTheTaskOnceAndDeletesTheResult()
    {
        var task = Pending();
        var resultId = ObjectId.ForTaskResult(_identity.Owner, task.TaskId);

        _gets.Start(task.TaskId);
        Assert.True(_store.IsWaitedFor(resultId));
        Assert.Equal(1, _gets.Count);
        _store.Put(resultId, [1, 2, 3]);

        Assert.Equal("result", await task.Ended.WaitAsync(_timeout.Token));
        Assert.Equal([1, 2, 3], task.Result);
        Assert.False(_pending.Contains(task.TaskId));
        await EventuallyAsync(() => _store.Count("delete", resultId) == 1);
        Assert.Equal(0, _gets.Count);
        Assert.Equal(1, task.Endings);
    }

    [Fact]
    public async Task Start_GraphResult_CompletesTheTaskAndLeavesTheResultToTheScheduler()
    {
        var task = Pending(deletesResult: false);
        var resultId = ObjectId.ForTaskResult(_identity.Owner, task.TaskId);

        _gets.Start(task.TaskId);
        _store.Put(resultId, [7]);

        Assert.Equal("result", await task.Ended.WaitAsync(_timeout.Token));
        Assert.Equal(0, _store.Count("delete", resultId));
    }

    [Fact]
    public void Start_MoreTasksThanMaxInFlight_OnlyTheFirstOnesGetAnEarlyGet()
    {
        var tasks = Enumerable.Range(0, EarlyResultGets.MaxInFlight + 5).Select(_ => Pending()).ToList();

        foreach (var task in tasks)
        {
            _gets.Start(task.TaskId);
        }

        Assert.Equal(EarlyResultGets.MaxInFlight, _gets.Count);
        Assert.Equal(EarlyResultGets.MaxInFlight, _store.WaitingGets);
        Assert.All(tasks.Skip(EarlyResultGets.MaxInFlight), t => Assert.False(_store.IsWaitedFor(ObjectId.ForTaskResult(_identity.Owner, t.TaskId))));
    }

    [Fact]
    public async Task Take_ResultMessageNamesTheTaskResultId_ReturnsTheGetWithoutEndingIt()
    {
        var task = Pending();
        var resultId = ObjectId.ForTaskResult(_identity.Owner, task.TaskId);
        _gets.Start(task.TaskId);
        Assert.True(_pending.TryRemove(task.TaskId, out _)); // as the result message's handler does first

        var get = _gets.Take(task.TaskId, resultId);
        _store.Put(resultId, [9]);

        Assert.NotNull(get);
        Assert.Equal([9], (await get.WaitAsync(_timeout.Token)).Content.ToArray());
        Assert.Equal(0, _gets.Count);
        Assert.Equal(0, _store.Count("set", resultId));
        Assert.Equal(0, task.Endings); // the handler that removed it completes it, not the early get
    }

    [Fact]
    public async Task Take_ResultStoredElsewhere_EndsTheGetWithAnEmptySetAndADelete()
    {
        var task = Pending();
        var resultId = ObjectId.ForTaskResult(_identity.Owner, task.TaskId);
        _gets.Start(task.TaskId);

        Assert.Null(_gets.Take(task.TaskId, ObjectId.NewUnique(_identity.Owner)));

        await EventuallyAsync(() => _store.Count("delete", resultId) == 1);
        Assert.Equal(1, _store.Count("set", resultId));
        Assert.Equal(0, _store.WaitingGets);
        Assert.Equal(0, task.Endings); // the empty set that answered the get is not taken for a result
        Assert.True(_pending.Contains(task.TaskId));
    }

    [Fact]
    public async Task Abandon_CanceledTask_EndsItsGetAndTheEmptyAnswerCompletesNothing()
    {
        var task = Pending();
        var resultId = ObjectId.ForTaskResult(_identity.Owner, task.TaskId);
        _gets.Start(task.TaskId);

        _gets.Abandon(task.TaskId);

        await EventuallyAsync(() => _store.Count("delete", resultId) == 1);
        Assert.Equal(["get", "set", "delete"], _store.Requests.Select(r => r.Split(' ')[0]));
        Assert.Equal(0, _gets.Count);
        Assert.Equal(0, task.Endings);
        Assert.Null(_gets.Take(task.TaskId, resultId));
    }

    [Fact]
    public async Task Abandon_GetAlreadyAnswered_OnlyDeletesTheObject()
    {
        var task = Pending();
        var resultId = ObjectId.ForTaskResult(_identity.Owner, task.TaskId);
        _store.Put(resultId, [5]);
        Assert.True(_pending.TryRemove(task.TaskId, out _)); // gone already: the answered get completes nothing
        _gets.Start(task.TaskId);

        _gets.Abandon(task.TaskId);

        await EventuallyAsync(() => _store.Count("delete", resultId) == 1);
        Assert.Equal(0, _store.Count("set", resultId));
        Assert.Equal(0, task.Endings);
    }

    [Fact]
    public async Task Start_TaskEndedAnotherWayFirst_TheLateAnswerCompletesNothing()
    {
        var task = Pending();
        var resultId = ObjectId.ForTaskResult(_identity.Owner, task.TaskId);
        _gets.Start(task.TaskId);
        Assert.True(_pending.TryRemove(task.TaskId, out _));
        task.MarkCanceled();

        _store.Put(resultId, [4]);

        await EventuallyAsync(() => _store.WaitingGets == 0);
        Assert.Equal(1, task.Endings);
        Assert.Equal(0, _store.Count("delete", resultId));
    }

    [Fact]
    public void Clear_ForgetsEveryGet()
    {
        var first = Pending();
        _gets.Start(first.TaskId);
        _gets.Start(Pending().TaskId);

        _gets.Clear();

        Assert.Equal(0, _gets.Count);
        Assert.Null(_gets.Take(first.TaskId, ObjectId.ForTaskResult(_identity.Owner, first.TaskId)));
    }

    private RecordingPendingTask Pending(bool deletesResult = true)
    {
        var task = new RecordingPendingTask(TaskIds.New(), deletesResult);
        _pending.Add(task);
        return task;
    }

    private async Task EventuallyAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(5, _timeout.Token);
        }
    }
}
