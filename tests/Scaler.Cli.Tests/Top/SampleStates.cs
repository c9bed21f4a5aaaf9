using System.Text;
using Scaler.Protocol.Messages;

namespace Scaler.Cli.Tests.Top;

/// <summary>Hand-built scheduler states for the top tests.</summary>
internal static class SampleStates
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static WorkerStatus Worker(string id, ushort processorCpu, ulong processorRss, uint queued, ulong lagMicroseconds = 1_500, ushort lastSeconds = 0) => new()
    {
        WorkerId = Bytes(id),
        Agent = new Resource { Cpu = 10, Rss = 2048 },
        RssFree = 4UL * 1024 * 1024 * 1024,
        Free = 3,
        Sent = 7,
        Queued = queued,
        Suspended = 0,
        LagUS = lagMicroseconds,
        LastS = lastSeconds,
        Itl = "1110",
        ProcessorStatuses =
        [
            new ProcessorStatus { Pid = 11, Resource = new Resource { Cpu = processorCpu, Rss = processorRss } },
            new ProcessorStatus { Pid = 12, Resource = new Resource { Cpu = 0, Rss = processorRss } },
        ],
    };

    public static StateScheduler Busy() => new()
    {
        Scheduler = new Resource { Cpu = 125, Rss = 3UL * 1024 * 1024 },
        RssFree = 8UL * 1024 * 1024 * 1024,
        ObjectManager = new ObjectManagerStatus { NumberOfObjects = 42 },
        TaskManager = new TaskManagerStatus
        {
            StateToCount =
            [
                new TaskManagerStatus.Pair { State = (byte)TaskState.Running, Count = 1_234 },
                new TaskManagerStatus.Pair { State = (byte)TaskState.BalanceCanceling, Count = 2 },
                new TaskManagerStatus.Pair { State = (byte)TaskState.Inactive, Count = 5 },
            ],
        },
        Binder = new BinderStatus
        {
            Sent = [new BinderStatus.Pair { Client = "TaskMessage", Number = 12_345 }],
            Received = [new BinderStatus.Pair { Client = "HeartbeatMessage", Number = 678 }],
        },
        ClientManager = new ClientManagerStatus
        {
            ClientToNumOfTask = [new ClientManagerStatus.Pair { Client = Bytes("Client|0123456789abcdef"), NumTask = 9 }],
        },
        WorkerManager = new WorkerManagerStatus
        {
            Workers =
            [
                Worker("worker-low", processorCpu: 100, processorRss: 1024 * 1024, queued: 1),
                Worker("worker-high", processorCpu: 900, processorRss: 1024 * 1024, queued: 4, lagMicroseconds: 2_000_000, lastSeconds: 65),
            ],
        },
        ScalingManager = new ScalingManagerStatus
        {
            ManagedWorkers =
            [
                new ScalingManagerStatus.Pair { WorkerManagerID = Bytes("wm-native"), WorkerIDs = [Bytes("worker-low"), Bytes("worker-high")] },
            ],
            WorkerManagerDetails =
            [
                new ScalingManagerStatus.WorkerManagerDetail
                {
                    WorkerManagerID = Bytes("wm-native"), Identity = "wm-native|abc", LastSeenS = 3, MaxTaskConcurrency = 8,
                    PendingWorkers = 3, Capabilities = "gpu",
                },
            ],
        },
    };
}
