using Microsoft.Extensions.Time.Testing;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Tasks;
using static Scaler.Scheduler.Tests.Ids;

namespace Scaler.Scheduler.Tests.Tasks;

/// <summary>A task manager over even-load allocation, with every step followed by a full invariant check.</summary>
public abstract class TaskManagerTestBase
{
    private readonly RecordingEffects _effects = new();

    private protected TaskManagerTestBase()
    {
        Manager = new TaskManager(new EvenLoadAllocationPolicy(), _effects, Time);
    }

    private protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private protected TaskManager Manager { get; }

    private protected RecordingEffects Effects => _effects;

    private protected void AddWorker(string worker, int queueSize)
    {
        Assert.True(Manager.AddWorker(W(worker), Capabilities.None, queueSize));
        Manager.CheckInvariants();
    }

    private protected void Submit(string task, string client = "c1")
    {
        Assert.True(Manager.Submit(new SchedulerTask(T(task), C(client), Capabilities.None, [])));
        Manager.CheckInvariants();
    }

    private protected void Cancel(string task, string client = "c1", bool force = false)
    {
        Manager.Cancel(C(client), T(task), force);
        Manager.CheckInvariants();
    }

    private protected bool Result(string worker, string task, TaskResultType type = TaskResultType.Success)
    {
        var accepted = Manager.OnTaskResult(W(worker), T(task), type);
        Manager.CheckInvariants();
        return accepted;
    }

    private protected bool Confirm(string worker, string task, TaskCancelConfirmType type)
    {
        var accepted = Manager.OnCancelConfirm(W(worker), T(task), type);
        Manager.CheckInvariants();
        return accepted;
    }

    private protected void RemoveWorker(string worker, bool died = true)
    {
        Manager.RemoveWorker(W(worker), died);
        Manager.CheckInvariants();
    }

    private protected void DisconnectClient(string client)
    {
        Manager.DisconnectClient(C(client));
        Manager.CheckInvariants();
    }

    private protected int Balance()
    {
        var sent = Manager.ApplyBalanceAdvice(Manager.Allocation.Balance());
        Manager.CheckInvariants();
        return sent;
    }

    /// <summary>What was sent since the last call.</summary>
    private protected string[] Sent() => _effects.Take();

    private protected TaskState? State(string task) => Manager.GetState(T(task));

    private protected string? WorkerOf(string task) => Manager.TryGetWorker(T(task), out var worker) ? worker.ToString() : null;
}
