using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.WorkerManager.Symphony;

namespace Scaler.WorkerManager.Tests.Symphony;

/// <summary>
/// The Symphony backend's bookkeeping on its own: the slot bound (a task beyond it waits in the ready queue), the
/// count bound, the byte bound on starting preparations, cancels, and a lost session's tasks freeing their slots.
/// </summary>
public sealed class HeldTasksTests
{
    private static readonly object Session = new();

    [Fact]
    public void SlotsFull_NextTaskWaitsReady_UntilAFinishFreesOne()
    {
        var held = new HeldTasks(maxInSymphony: 1, heldLimit: 3, maxEnvelopeBytesAhead: 1_000);
        var first = Prepared(held, 10);
        var second = Prepared(held, 10);

        Assert.True(held.TryTakeSlot(first, _ => Session, out _, out var input));
        Assert.Equal(10, input.Length);
        Assert.False(held.TryTakeSlot(second, _ => Session, out _, out _));
        Assert.Equal(InFlightState.Ready, second.State);
        Assert.Null(held.TakeReady(() => true));

        Assert.True(held.TryFinish(first, out _, out var othersHeld));
        Assert.True(othersHeld);
        Assert.Same(second, held.TakeReady(() => true));
        Assert.True(held.TryTakeSlot(second, _ => Session, out _, out _));
        Assert.Equal(1, held.InSymphony);
        Assert.Equal(10, held.EnvelopeBytes);
    }

    [Fact]
    public void NoSession_TaskIsParked_AndTakesNoSlot()
    {
        var held = new HeldTasks(maxInSymphony: 1, heldLimit: 2, maxEnvelopeBytesAhead: 1_000);
        var task = Prepared(held, 10);
        var parked = new List<InFlightTask>();

        Assert.False(held.TryTakeSlot<object>(task, t => { parked.Add(t); return null; }, out _, out _));

        Assert.Equal([task], parked);
        Assert.Equal(InFlightState.WaitingForSession, task.State);
        Assert.Equal(0, held.InSymphony);
    }

    [Fact]
    public void EnvelopesReachTheByteBound_LaterTasksAwaitPreparation_UntilBytesAreFreed()
    {
        var held = new HeldTasks(maxInSymphony: 1, heldLimit: 10, maxEnvelopeBytesAhead: 100);
        var big = NewTask();
        Assert.Equal([big], held.Accept(big));
        Assert.Null(held.PreparationEnded(big, new byte[100]));

        var later = NewTask();
        Assert.Null(held.Accept(later));
        Assert.Equal(1, held.AwaitingPreparation);
        Assert.Equal(InFlightState.Accepted, later.State);

        Assert.True(held.TryFinish(big, out var preparable, out _));
        Assert.Equal([later], preparable);
        Assert.Equal(InFlightState.Preparing, later.State);
        Assert.Equal(0, held.EnvelopeBytes);
    }

    [Fact]
    public void Cancel_OnlyBeforeTheTaskIsInSymphony()
    {
        var held = new HeldTasks(maxInSymphony: 1, heldLimit: 3, maxEnvelopeBytesAhead: 1_000);
        var sent = Prepared(held, 10);
        var waiting = Prepared(held, 20);
        Assert.True(held.TryTakeSlot(sent, _ => Session, out _, out _));
        Assert.False(held.TryTakeSlot(waiting, _ => Session, out _, out _));

        Assert.False(held.TryCancel(sent.Key, out _, out _));
        Assert.True(held.TryCancel(waiting.Key, out var cancelled, out _));

        Assert.Same(waiting, cancelled);
        Assert.Equal(InFlightState.Done, waiting.State);
        Assert.Null(held.TakeReady(() => true));
        Assert.Equal(1, held.Count);
        Assert.Equal(10, held.EnvelopeBytes);
        Assert.False(held.TryFinish(waiting, out _, out _));
    }

    [Fact]
    public void LostSession_FreesTheSlotsOfItsTasks_LeavesOutThoseAlreadyDone()
    {
        var held = new HeldTasks(maxInSymphony: 2, heldLimit: 4, maxEnvelopeBytesAhead: 1_000);
        var lost = Prepared(held, 10);
        var finished = Prepared(held, 10);
        Assert.True(held.TryTakeSlot(lost, _ => Session, out _, out _));
        Assert.True(held.TryTakeSlot(finished, _ => Session, out _, out _));
        Assert.True(held.TryFinish(finished, out _, out _));

        var reclaimed = held.Reclaim([lost, finished]);

        Assert.Equal([lost], reclaimed);
        Assert.Equal(InFlightState.WaitingForSession, lost.State);
        Assert.Equal(0, held.InSymphony);
        Assert.Equal(10, held.EnvelopeBytes);
    }

    [Fact]
    public void Closed_AcceptsNoneAndSendsNone()
    {
        var held = new HeldTasks(maxInSymphony: 1, heldLimit: 3, maxEnvelopeBytesAhead: 1_000);
        var task = Prepared(held, 10);

        Assert.True(held.Close());

        Assert.False(held.Close());
        Assert.False(held.HasRoom);
        Assert.False(held.TryTakeSlot(task, _ => Session, out _, out _));
        Assert.Null(held.Accept(NewTask()));
    }

    private static InFlightTask Prepared(HeldTasks held, int envelopeBytes)
    {
        var task = NewTask();
        Assert.Equal([task], held.Accept(task));
        held.PreparationEnded(task, new byte[envelopeBytes]);
        return task;
    }

    private static InFlightTask NewTask()
    {
        var message = new TaskMessage { TaskId = Guid.NewGuid().ToByteArray(), Source = "Client|held-test"u8.ToArray(), FuncObjectId = new byte[32] };
        return new InFlightTask(message, new TaskId(message.TaskId));
    }
}
