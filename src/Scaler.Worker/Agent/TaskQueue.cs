using Scaler.Protocol.Messages;

namespace Scaler.Worker.Agent;

/// <summary>
/// Tasks waiting for a free execution slot: higher priority first, then arrival order, as the reference's queue.
/// Removal is lazy: a canceled task stays in the heap until it surfaces and is skipped.
/// </summary>
internal sealed class TaskQueue
{
    private readonly Dictionary<string, TaskMessage> _byId = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, (int NegativePriority, long Sequence)> _order = new();
    private long _sequence;
    private long _frontSequence;

    public int Count => _byId.Count;

    public bool Contains(string taskKey) => _byId.ContainsKey(taskKey);

    public void Enqueue(string taskKey, TaskMessage task)
    {
        if (!_byId.TryAdd(taskKey, task))
        {
            return;
        }

        var priority = TaskFlags.Read(task.Metadata).Priority;
        _order.Enqueue(taskKey, (-priority, _sequence++));
    }

    /// <summary>Queues a task ahead of every task of its priority (one that was given back unstarted).</summary>
    public void EnqueueFront(string taskKey, TaskMessage task)
    {
        if (!_byId.TryAdd(taskKey, task))
        {
            return;
        }

        var priority = TaskFlags.Read(task.Metadata).Priority;
        _order.Enqueue(taskKey, (-priority, --_frontSequence));
    }

    public bool Remove(string taskKey) => _byId.Remove(taskKey);

    /// <summary>Forgets every task (their scheduler is gone).</summary>
    public void Clear()
    {
        _byId.Clear();
        _order.Clear();
    }

    public bool TryDequeue(out string taskKey, out TaskMessage task)
    {
        while (_order.TryDequeue(out taskKey!, out _))
        {
            if (_byId.Remove(taskKey, out task!))
            {
                return true;
            }
        }

        taskKey = string.Empty;
        task = null!;
        return false;
    }
}
