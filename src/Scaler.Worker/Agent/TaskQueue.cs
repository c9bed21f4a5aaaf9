using Scaler.Identity;
using Scaler.Protocol.Messages;

namespace Scaler.Worker.Agent;

/// <summary>
/// Tasks waiting for a free execution slot: higher priority first, then arrival order, as the reference's queue.
/// Removal is lazy: a canceled task stays in the heap until it surfaces and is skipped.
/// </summary>
internal sealed class TaskQueue
{
    private readonly Dictionary<TaskId, TaskMessage> _byId = [];
    private readonly PriorityQueue<TaskId, (int NegativePriority, long Sequence)> _order = new();
    private long _sequence;
    private long _frontSequence;

    public int Count => _byId.Count;

    public bool Contains(TaskId taskKey) => _byId.ContainsKey(taskKey);

    public void Enqueue(TaskId taskKey, TaskMessage task)
    {
        if (!_byId.TryAdd(taskKey, task))
        {
            return;
        }

        var priority = TaskFlags.Read(task.Metadata).Priority;
        _order.Enqueue(taskKey, (-priority, _sequence++));
    }

    /// <summary>Queues a task ahead of every task of its priority (one that was given back unstarted).</summary>
    public void EnqueueFront(TaskId taskKey, TaskMessage task)
    {
        if (!_byId.TryAdd(taskKey, task))
        {
            return;
        }

        var priority = TaskFlags.Read(task.Metadata).Priority;
        _order.Enqueue(taskKey, (-priority, --_frontSequence));
    }

    public bool Remove(TaskId taskKey) => _byId.Remove(taskKey);

    /// <summary>Forgets every task (their scheduler is gone).</summary>
    public void Clear()
    {
        _byId.Clear();
        _order.Clear();
    }

    public bool TryDequeue(out TaskId taskKey, out TaskMessage task)
    {
        while (_order.TryDequeue(out taskKey!, out _))
        {
            if (_byId.Remove(taskKey, out task!))
            {
                return true;
            }
        }

        taskKey = default;
        task = null!;
        return false;
    }
}
