using Scaler.Identity;
using Scaler.Protocol.Messages;
using Scaler.Worker.Execution;

namespace Scaler.Worker.Processors;

/// <summary>
/// The object fetches of a processor. Two things keep a task from waiting on object storage:
/// <list type="bullet">
/// <item>Serializer and function objects are fetched once per ID and kept in an <see cref="ObjectFetchCache"/>
/// (clients never change the content behind these IDs: a client has one serializer object, and function objects are
/// named by their content), as the reference's processor object cache does.</item>
/// <item>Arguments of tasks the worker sent ahead are fetched while the tasks before them run, and handed over once
/// when the task starts.</item>
/// </list>
/// Both stores are bounded by count, and prefetched arguments also by bytes (<see cref="ArgumentByteCapacity"/>): a
/// prefetched argument that does not fit is dropped and fetched again when its task starts, so large arguments never
/// pile up in a processor. Thread-safe: tasks arrive on the channel reader while others run.
/// </summary>
internal sealed class TaskObjectPrefetcher(
    Func<ObjectId, CancellationToken, Task<ReadOnlyMemory<byte>>> fetch,
    long argumentByteCapacity = TaskObjectPrefetcher.ArgumentByteCapacity)
{
    /// <summary>Prefetched arguments kept; the oldest are dropped first (their task was canceled or never started).</summary>
    internal const int ArgumentCapacity = 256;

    /// <summary>Bytes of prefetched arguments held at most (arguments of tasks that have not started).</summary>
    internal const long ArgumentByteCapacity = 256L * 1024 * 1024;

    private readonly Lock _gate = new();
    private long _prefetchedBytes;
    private readonly ObjectFetchCache _shared = new(fetch);
    private readonly Dictionary<ObjectId, PrefetchedArgument> _arguments = [];
    private readonly Queue<ObjectId> _argumentOrder = new();

    /// <summary>Serializer and function objects held.</summary>
    public int SharedCount => _shared.Count;

    /// <summary>Bytes of prefetched arguments held (fetched, not yet handed to their task).</summary>
    public long PrefetchedBytes
    {
        get
        {
            lock (_gate)
            {
                return _prefetchedBytes;
            }
        }
    }

    /// <summary>Prefetched arguments not yet handed to their task.</summary>
    public int PrefetchedArgumentCount
    {
        get
        {
            lock (_gate)
            {
                return _arguments.Count;
            }
        }
    }

    /// <summary>Starts fetching everything <paramref name="task"/> will need, without waiting.</summary>
    /// <exception cref="ArgumentException">An object ID in the task is malformed.</exception>
    public void Prefetch(TaskMessage task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var owner = ObjectOwner.FromClientIdentity(task.Source);
        List<(ObjectId, PrefetchedArgument)> started = [];
        lock (_gate)
        {
            _shared.GetAsync(ObjectId.ForSerializer(owner), cancellationToken);
            _shared.GetAsync(ObjectId.FromBytes(task.FuncObjectId), cancellationToken);
            foreach (var taskArgument in task.FunctionArgs)
            {
                var id = ObjectId.FromBytes(taskArgument.Data);
                if (_arguments.ContainsKey(id))
                {
                    continue;
                }

                while (_arguments.Count >= ArgumentCapacity && _argumentOrder.TryDequeue(out var oldest))
                {
                    RemoveArgumentLocked(oldest);
                }

                var prefetch = new PrefetchedArgument(fetch(id, cancellationToken));
                _arguments[id] = prefetch;
                _argumentOrder.Enqueue(id);
                CompactOrderLocked();
                started.Add((id, prefetch));
            }
        }

        // Outside the lock: a fetch that is already complete counts its bytes at once, which takes the lock.
        foreach (var (id, argument) in started)
        {
            _ = CountWhenFetchedAsync(id, argument);
        }
    }

    /// <summary>
    /// The task's serializer, function and argument fetches: prefetched ones are handed over (and forgotten), the rest
    /// start now, all at once.
    /// </summary>
    /// <exception cref="ArgumentException">An object ID in the task is malformed.</exception>
    public TaskObjects Take(TaskMessage task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var owner = ObjectOwner.FromClientIdentity(task.Source);
        lock (_gate)
        {
            var serializer = _shared.GetAsync(ObjectId.ForSerializer(owner), cancellationToken);
            var function = _shared.GetAsync(ObjectId.FromBytes(task.FuncObjectId), cancellationToken);
            var arguments = new Task<ReadOnlyMemory<byte>>[task.FunctionArgs.Count];
            for (var i = 0; i < arguments.Length; i++)
            {
                var id = ObjectId.FromBytes(task.FunctionArgs[i].Data);
                arguments[i] = RemoveArgumentLocked(id) is { } prefetched && !prefetched.Fetch.IsFaulted && !prefetched.Fetch.IsCanceled
                    ? prefetched.Fetch
                    : fetch(id, cancellationToken);
            }

            return new TaskObjects(serializer, function, arguments);
        }
    }

    /// <summary>Fetches (once) a serializer, function or code object; a failed fetch is forgotten so the next asks again.</summary>
    public Task<ReadOnlyMemory<byte>> GetShared(ObjectId id, CancellationToken cancellationToken) => _shared.GetAsync(id, cancellationToken);

    /// <summary>Once a prefetch lands, its bytes count against the capacity; one that does not fit is dropped.</summary>
    private async Task CountWhenFetchedAsync(ObjectId id, PrefetchedArgument argument)
    {
        long length;
        try
        {
            length = (await argument.Fetch.ConfigureAwait(false)).Length;
        }
#pragma warning disable CA1031 // the task that needs the object sees the failure when it takes the fetch.
        catch (Exception)
#pragma warning restore CA1031
        {
            return;
        }

        lock (_gate)
        {
            if (!_arguments.TryGetValue(id, out var current) || current != argument)
            {
                return;
            }

            if (_prefetchedBytes + length > argumentByteCapacity)
            {
                _arguments.Remove(id);
                return;
            }

            argument.CountedBytes = length;
            _prefetchedBytes += length;
        }
    }

    private PrefetchedArgument? RemoveArgumentLocked(ObjectId id)
    {
        if (!_arguments.Remove(id, out var removed))
        {
            return null;
        }

        _prefetchedBytes -= removed.CountedBytes;
        return removed;
    }

    /// <summary>Taken arguments leave their ID in the order queue; rebuild it before it outgrows the store.</summary>
    private void CompactOrderLocked()
    {
        if (_argumentOrder.Count <= 2 * ArgumentCapacity)
        {
            return;
        }

        var live = _argumentOrder.Where(_arguments.ContainsKey).Distinct().ToList();
        _argumentOrder.Clear();
        foreach (var id in live)
        {
            _argumentOrder.Enqueue(id);
        }
    }
}

/// <summary>A prefetch and the bytes it counts against the capacity once it has landed.</summary>
internal sealed class PrefetchedArgument(Task<ReadOnlyMemory<byte>> fetch)
{
    public Task<ReadOnlyMemory<byte>> Fetch { get; } = fetch;

    public long CountedBytes { get; set; }
}

/// <summary>The fetches of one task's objects, in parameter order for the arguments.</summary>
internal sealed record TaskObjects(
    Task<ReadOnlyMemory<byte>> Serializer, Task<ReadOnlyMemory<byte>> Function, Task<ReadOnlyMemory<byte>>[] Arguments)
{
    /// <summary>Every object of the task has arrived (none failed).</summary>
    public bool AllFetched =>
        Serializer.IsCompletedSuccessfully && Function.IsCompletedSuccessfully && Arguments.All(a => a.IsCompletedSuccessfully);
}
