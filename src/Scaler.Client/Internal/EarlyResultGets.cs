using System.Collections.Concurrent;
using Scaler.Identity;

namespace Scaler.Internal;

/// <summary>
/// Gets of task results asked for when a task is sent (decisions 17 and 20): a worker of ours stores a task's success
/// under <see cref="ObjectId.ForTaskResult"/>, and object storage answers the waiting get the moment it lands, while
/// the task's result message still travels through the worker and the scheduler. Only while few wait: with many tasks
/// in flight, results answered one by one as workers store them wake the client for each, where gets sent on result
/// messages travel and are answered in batches (docs/performance.md).
/// </summary>
internal sealed class EarlyResultGets
{
    /// <summary>Early gets are asked for while fewer than this many wait.</summary>
    public const int MaxInFlight = 8;

    private readonly ConcurrentDictionary<TaskId, EarlyResult> _gets = new();
    private readonly ResultObjects _objects;
    private readonly PendingTasks _pending;
    private readonly ObjectOwner _owner;

    /// <summary>Entries of <see cref="_gets"/> (the dictionary's own count takes all its locks).</summary>
    private int _count;

    public EarlyResultGets(ResultObjects objects, PendingTasks pending, ObjectOwner owner)
    {
        _objects = objects;
        _pending = pending;
        _owner = owner;
    }

    /// <summary>Early gets waiting.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Asks object storage for where task <paramref name="taskId"/>'s result will be, unless <see cref="MaxInFlight"/>
    /// gets wait already. Called before the task is sent, so the get is registered before the result can come back.
    /// </summary>
    public void Start(byte[] taskId)
    {
        if (taskId.Length == 16 && Volatile.Read(ref _count) < MaxInFlight)
        {
            var id = ObjectId.ForTaskResult(_owner, taskId);
            var key = PendingTasks.KeyOf(taskId);
            var early = new EarlyResult(id, _objects.GetQuietlyAsync(id));
            if (_gets.TryAdd(key, early))
            {
                Interlocked.Increment(ref _count);
                _ = CompleteFromAsync(key, early);
            }
        }
    }

    /// <summary>
    /// The early get of a task whose result message names <paramref name="resultId"/>; null when there is none, or when
    /// the result is somewhere else (a worker that names results its own way, as the reference's do), whose get is then
    /// ended.
    /// </summary>
    public Task<(ReadOnlyMemory<byte> Content, Exception? Error)>? Take(byte[] taskId, ObjectId resultId)
    {
        if (!_gets.TryRemove(PendingTasks.KeyOf(taskId), out var early))
        {
            return null;
        }

        Interlocked.Decrement(ref _count);

        if (early.Id == resultId)
        {
            return early.Content;
        }

        _ = EndAsync(early);
        return null;
    }

    /// <summary>Ends the early get of a task that will not store a result there (canceled, lost with its worker).</summary>
    public void Abandon(byte[] taskId)
    {
        if (_gets.TryRemove(PendingTasks.KeyOf(taskId), out var early))
        {
            Interlocked.Decrement(ref _count);
            _ = EndAsync(early);
        }
    }

    /// <summary>Forgets every get: the client is closing, and they end with the connection, quietly.</summary>
    public void Clear()
    {
        _gets.Clear();
        Volatile.Write(ref _count, 0);
    }

    /// <summary>
    /// Workers store only a success under <see cref="ObjectId.ForTaskResult"/> (an error goes under
    /// <see cref="ObjectId.ForTaskError"/>), so an early get answered with an object means the task succeeded: its
    /// future completes then, without waiting for the result message, which takes one process hop more (decision 20).
    /// Whoever removes the task from <see cref="PendingTasks"/> first (this, the result message or a cancel) completes
    /// it; the others find it gone. A failed get, or one ended on purpose (answered by the empty set of
    /// <see cref="EndAsync"/>), is left to the result message.
    /// </summary>
    private async Task CompleteFromAsync(TaskId key, EarlyResult early)
    {
        var (content, error) = await early.Content.ConfigureAwait(false);
        if (error is not null || early.Ended || !_pending.TryRemove(key, out var future))
        {
            return;
        }

        if (_gets.TryRemove(KeyValuePair.Create(key, early)))
        {
            Interlocked.Decrement(ref _count);
        }

        if (future.DeletesResult)
        {
            _ = _objects.DeleteAsync(early.Id);
        }

        future.CompleteWithResult(content);
    }

    private Task EndAsync(EarlyResult early)
    {
        // Marked before the empty set goes out, so the answer it causes is never taken for a result.
        early.Ended = true;
        return _objects.EndGetAsync(early.Id, answered: early.Content.IsCompleted);
    }

    private sealed class EarlyResult(ObjectId id, Task<(ReadOnlyMemory<byte> Content, Exception? Error)> content)
    {
        private volatile bool _ended;

        public ObjectId Id { get; } = id;

        public Task<(ReadOnlyMemory<byte> Content, Exception? Error)> Content { get; } = content;

        /// <summary>Set by <see cref="EndAsync"/>: whatever answers this get now is not the task's result.</summary>
        public bool Ended
        {
            get => _ended;
            set => _ended = value;
        }
    }
}
