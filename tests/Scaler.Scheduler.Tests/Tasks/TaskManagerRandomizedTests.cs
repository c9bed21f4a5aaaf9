using Microsoft.Extensions.Time.Testing;
using Scaler.Identity;
using Scaler.Scheduler.Policies;
using Scaler.Scheduler.Policies.Allocation;
using Scaler.Scheduler.Tasks;

namespace Scaler.Scheduler.Tests.Tasks;

/// <summary>
/// Drives the task manager with random (seeded, reproducible) sequences of events from simulated workers and clients,
/// checking every invariant after each step, that a task never runs on two live workers at once, and at the end that
/// every task of a connected client got exactly one final answer.
/// </summary>
public sealed class TaskManagerRandomizedTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    [InlineData(6, true)]
    public void RandomEvents_NothingLostNothingTwice(int seed, bool capabilityAllocation)
    {
        var random = new Random(seed);
        var world = new SimulatedWorld();
        IAllocationPolicy allocation = capabilityAllocation ? new CapabilityAllocationPolicy() : new EvenLoadAllocationPolicy();
        var manager = new TaskManager(allocation, world, new FakeTimeProvider());
        var clients = new[] { "a", "b", "c" }.Select(ClientId.FromString).ToArray();
        var disconnected = new HashSet<ClientId>();
        var nextTask = 0;
        var nextWorker = 0;

        for (var step = 0; step < 4_000; step++)
        {
            switch (random.Next(10))
            {
                case 0 or 1 or 2:
                    var client = clients[random.Next(clients.Length)];
                    if (!disconnected.Contains(client))
                    {
                        var id = TaskId.FromString($"t{nextTask++}");
                        world.Owner[id] = client;
                        manager.Submit(new SchedulerTask(id, client, Capabilities.None, []));
                    }

                    break;
                case 3:
                    if (world.Held.Count < 4)
                    {
                        var worker = WorkerId.FromString($"w{nextWorker++}");
                        world.Held[worker] = [];
                        manager.AddWorker(worker, Capabilities.None, 1 + random.Next(4));
                    }

                    break;
                case 4:
                    if (world.Held.Count > 0 && random.Next(4) == 0)
                    {
                        var worker = world.Held.Keys.ElementAt(random.Next(world.Held.Count));
                        var had = world.Held[worker].ToArray();
                        world.KillWorker(worker);
                        manager.RemoveWorker(worker);
                        foreach (var task in had)
                        {
                            Assert.False(manager.OnTaskResult(worker, task, TaskResultType.Success), "late result accepted");
                        }
                    }

                    break;
                case 5 or 6:
                    world.CompleteOne(random, manager);
                    break;
                case 7:
                    world.AnswerOneCancel(random, manager);
                    break;
                case 8:
                    var live = world.Owner.Keys.Where(task => manager.GetState(task) is not null).ToArray();
                    if (live.Length > 0)
                    {
                        var task = live[random.Next(live.Length)];
                        manager.Cancel(world.Owner[task], task, force: random.Next(2) == 0);
                    }

                    break;
                default:
                    if (random.Next(20) == 0)
                    {
                        var gone = clients[random.Next(clients.Length)];
                        disconnected.Add(gone);
                        world.Gone.Add(gone);
                        manager.DisconnectClient(gone);
                    }
                    else
                    {
                        manager.ApplyBalanceAdvice(manager.Allocation.Balance());
                    }

                    break;
            }

            manager.CheckInvariants();
            CheckQueries(manager, world, clients);
        }

        // Drain: answer everything until no task is left.
        for (var round = 0; manager.TaskCount > 0; round++)
        {
            Assert.True(round < 10_000, $"{manager.TaskCount} tasks never finish");
            if (world.Held.Count == 0)
            {
                var worker = WorkerId.FromString($"w{nextWorker++}");
                world.Held[worker] = [];
                manager.AddWorker(worker, Capabilities.None, 3);
            }

            if (!world.AnswerOneCancel(random, manager))
            {
                world.CompleteOne(random, manager);
            }

            manager.CheckInvariants();
        }

        Assert.Equal(0, manager.PendingCount);
        foreach (var (task, client) in world.Owner)
        {
            world.FinalAnswers.TryGetValue(task, out var answers);
            if (disconnected.Contains(client))
            {
                Assert.True(answers <= 1, $"{task} answered {answers} times");
            }
            else
            {
                Assert.True(answers == 1, $"{task} answered {answers} times");
            }
        }
    }

    /// <summary>What the scheduler asks the manager about tasks agrees with the world's own record of who owns what.</summary>
    private static void CheckQueries(TaskManager manager, SimulatedWorld world, ClientId[] clients)
    {
        var live = world.Owner.Where(pair => manager.GetState(pair.Key) is not null).ToArray();
        foreach (var client in clients)
        {
            Assert.Equal(live.Count(pair => pair.Value == client), manager.TaskCountOf(client));
        }

        foreach (var (task, owner) in live)
        {
            Assert.True(manager.TryGetTask(task, out var submitted));
            Assert.Equal(owner, submitted.Client);
        }
    }

    /// <summary>Workers that run what they are sent and answer cancels; clients that count final answers.</summary>
    private sealed class SimulatedWorld : ISchedulerEffects
    {
        public Dictionary<WorkerId, HashSet<TaskId>> Held { get; } = [];

        public List<(WorkerId Worker, TaskId Task, bool Force)> Cancels { get; } = [];

        public Dictionary<TaskId, ClientId> Owner { get; } = [];

        public HashSet<ClientId> Gone { get; } = [];

        public Dictionary<TaskId, int> FinalAnswers { get; } = [];

        public void SendTask(WorkerId worker, SchedulerTask task)
        {
            Assert.DoesNotContain(Held, pair => pair.Value.Contains(task.Id)); // never on two workers at once
            Held[worker].Add(task.Id);
        }

        public void SendTaskCancel(WorkerId worker, TaskId task, bool force) => Cancels.Add((worker, task, force));

        public void SendTaskResult(ClientId client, TaskId task, TaskResultType resultType, object? payload) =>
            Answer(client, task);

        public void SendTaskCancelConfirm(ClientId client, TaskId task, TaskCancelConfirmType confirmType) =>
            Answer(client, task);

        public void TaskStateChanged(TaskId task, TaskState state, WorkerId worker)
        {
        }

        public void KillWorker(WorkerId worker)
        {
            Held.Remove(worker);
            Cancels.RemoveAll(cancel => cancel.Worker == worker);
        }

        public void CompleteOne(Random random, TaskManager manager)
        {
            var busy = Held.Where(pair => pair.Value.Count > 0).ToArray();
            if (busy.Length == 0)
            {
                return;
            }

            var (worker, tasks) = busy[random.Next(busy.Length)];
            var task = tasks.ElementAt(random.Next(tasks.Count));
            tasks.Remove(task);
            manager.OnTaskResult(worker, task, random.Next(5) == 0 ? TaskResultType.Failed : TaskResultType.Success);
        }

        public bool AnswerOneCancel(Random random, TaskManager manager)
        {
            if (Cancels.Count == 0)
            {
                return false;
            }

            var index = random.Next(Cancels.Count);
            var (worker, task, force) = Cancels[index];
            Cancels.RemoveAt(index);
            TaskCancelConfirmType answer;
            if (!Held[worker].Contains(task))
            {
                answer = TaskCancelConfirmType.CancelNotFound;
            }
            else if (!force && random.Next(3) == 0)
            {
                answer = TaskCancelConfirmType.CancelFailed;
            }
            else
            {
                Held[worker].Remove(task);
                answer = TaskCancelConfirmType.Canceled;
            }

            manager.OnCancelConfirm(worker, task, answer);
            return true;
        }

        private void Answer(ClientId client, TaskId task)
        {
            Assert.Equal(Owner[task], client);
            Assert.DoesNotContain(client, Gone); // nothing is sent to a client that is gone
            FinalAnswers[task] = FinalAnswers.GetValueOrDefault(task) + 1;
        }
    }
}
