using System.Diagnostics;
using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.Scheduler.Runtime;

/// <summary>The periodic <c>StateScheduler</c> report to monitors (what <c>scaler_top</c> shows).</summary>
internal sealed partial class SchedulerCore
{
    private TimeSpan _lastCpuTime;
    private long _lastCpuSample;

    private void PublishStatus()
    {
        if (_monitors.Count > 0)
        {
            PublishMonitor(BuildStatus());
        }
    }

    internal StateScheduler BuildStatus()
    {
        var rss = (ulong)Environment.WorkingSet;
        var available = (ulong)Math.Max(0, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        return new StateScheduler
        {
            Binder = _counters.ToStatus(),
            Scheduler = new Resource { Cpu = SampleCpuPerMille(), Rss = rss },
            RssFree = available > rss ? available - rss : 0,
            ClientManager = new ClientManagerStatus
            {
                ClientToNumOfTask = _roles.Where(pair => pair.Value == PeerRole.Client).Select(pair =>
                    new ClientManagerStatus.Pair
                    {
                        Client = pair.Key.Memory.ToArray(),
                        NumTask = (uint)_tasks.TaskCountOf(new ClientId(pair.Key.Span)),
                    }).ToArray(),
            },
            ObjectManager = new ObjectManagerStatus { NumberOfObjects = (uint)_objects.Count },
            TaskManager = new TaskManagerStatus
            {
                StateToCount = Enum.GetValues<TaskState>().Select(state => new TaskManagerStatus.Pair
                {
                    State = (byte)state,
                    Count = (uint)Math.Min(uint.MaxValue, _tasks.CountInState(state)),
                }).ToArray(),
            },
            WorkerManager = new WorkerManagerStatus { Workers = BuildWorkerStatuses() },
            ScalingManager = BuildScalingStatus(),
        };
    }

    private WorkerStatus[] BuildWorkerStatuses() =>
        _tasks.Allocation.Statistics().Select(load =>
        {
            _workerSeen.TryGetValue(load.Worker, out var seen);
            var heartbeat = seen?.Heartbeat ?? new WorkerHeartbeat();
            var lastSeen = seen is null ? TimeSpan.Zero : _time.GetElapsedTime(seen.LastSeen);
            return new WorkerStatus
            {
                WorkerId = load.Worker.Span.ToArray(),
                Agent = heartbeat.Agent ?? new Resource(),
                RssFree = heartbeat.RssFree,
                Free = (uint)Math.Max(0, load.Free),
                Sent = (uint)Math.Max(0, load.Sent),
                Queued = heartbeat.QueuedTasks,
                Suspended = (byte)Math.Min(byte.MaxValue, heartbeat.Processors.Count(processor => processor.Suspended)),
                LagUS = heartbeat.LatencyUS,
                LastS = (ushort)Math.Min(ushort.MaxValue, (long)lastSeen.TotalSeconds),
                Itl = heartbeat.TaskLock ? "1" : "0",
                ProcessorStatuses = heartbeat.Processors,
                MemLimit = heartbeat.MemLimit,
            };
        }).ToArray();

    private ScalingManagerStatus BuildScalingStatus()
    {
        var managers = _managers.All.ToArray();
        return new ScalingManagerStatus
        {
            ManagedWorkers = managers.Select(manager => new ScalingManagerStatus.Pair
            {
                WorkerManagerID = manager.Record.Id.Span.ToArray(),
                WorkerIDs = _workers.WorkersOf(manager.Record.Id).Select(worker => worker.Span.ToArray()).ToArray(),
            }).ToArray(),
            WorkerManagerDetails = managers.Select(manager =>
            {
                var heartbeat = manager.Record.Heartbeat;
                var connected = _workers.CountOf(manager.Record.Id);
                return new ScalingManagerStatus.WorkerManagerDetail
                {
                    WorkerManagerID = manager.Record.Id.Span.ToArray(),
                    Identity = manager.Peer.ToString(),
                    LastSeenS = (ushort)Math.Min(ushort.MaxValue, (long)_managers.SilenceOf(manager.Record).TotalSeconds),
                    MaxTaskConcurrency = heartbeat.MaxTaskConcurrency,
                    Capabilities = string.Join(' ', heartbeat.Capabilities.Select(c => c.Name).Order(StringComparer.Ordinal)),
                    PendingWorkers = (uint)Math.Max(0, manager.Record.LastDesiredTotal - connected),
                };
            }).ToArray(),
        };
    }

    /// <summary>Process CPU use since the previous report, in per mille of one core (as the reference reports it).</summary>
    private ushort SampleCpuPerMille()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var now = Stopwatch.GetTimestamp();
        var wall = _lastCpuSample == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_lastCpuSample, now);
        var used = cpu - _lastCpuTime;
        _lastCpuTime = cpu;
        _lastCpuSample = now;
        if (wall <= TimeSpan.Zero)
        {
            return 0;
        }

        return (ushort)Math.Clamp(used.TotalMilliseconds * 1000 / wall.TotalMilliseconds, 0, ushort.MaxValue);
    }
}
