using System.Collections.Concurrent;
using Scaler.Identity;
using Scaler.Internal;
using Scaler.IO.Addressing;

namespace Scaler.ClientTests.Support;

/// <summary>
/// An in-memory object store for the client's parts: a get waits until its object is set (as object storage does),
/// every request is logged in order, and sets can be held back or failed. A set answers the gets waiting for it before
/// it returns, with their continuations run inline, so a test that sees the set done knows what the answer caused.
/// </summary>
internal sealed class FakeObjectStore : IObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectId, byte[]> _objects = [];
    private readonly Dictionary<ObjectId, List<TaskCompletionSource<ReadOnlyMemory<byte>>>> _waiting = [];

    public ScalerAddress? Address { get; } = ScalerAddress.Parse("tcp://127.0.0.1:9");

    /// <summary>Every request as "set|get|delete &lt;id&gt;", in the order they were made.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Called with every request as it is logged (tests order it against other events).</summary>
    public Action<string>? OnRequest { get; set; }

    /// <summary>When set, every set fails with what it returns (null: that set succeeds).</summary>
    public Func<ObjectId, Exception?>? FailSet { get; set; }

    /// <summary>When set, sets complete only once this task does.</summary>
    public Task? HoldSets { get; set; }

    public int WaitingGets
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Values.Sum(w => w.Count);
            }
        }
    }

    public bool IsWaitedFor(ObjectId id)
    {
        lock (_lock)
        {
            return _waiting.ContainsKey(id);
        }
    }

    public byte[]? Stored(ObjectId id)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(id);
        }
    }

    public int Count(string verb, ObjectId id) => Requests.Count(r => r == $"{verb} {id}");

    private void Log(string request)
    {
        OnRequest?.Invoke(request);
        Requests.Enqueue(request);
    }

    public async Task SetAsync(ObjectId id, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        Log($"set {id}");
        if (HoldSets is { } hold)
        {
            await hold.WaitAsync(cancellationToken);
        }

        if (FailSet?.Invoke(id) is { } error)
        {
            throw error;
        }

        Put(id, content.ToArray());
    }

    /// <summary>Stores an object as a worker would (answers the gets waiting for it).</summary>
    public void Put(ObjectId id, byte[] content)
    {
        List<TaskCompletionSource<ReadOnlyMemory<byte>>>? waiting;
        lock (_lock)
        {
            _objects[id] = content;
            _waiting.Remove(id, out waiting);
        }

        // Without the test's synchronization context (xunit's), which would send the continuations to the pool.
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            foreach (var get in waiting ?? [])
            {
                get.TrySetResult(content);
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    public Task<ReadOnlyMemory<byte>> GetAsync(ObjectId id, CancellationToken cancellationToken)
    {
        Log($"get {id}");
        lock (_lock)
        {
            if (_objects.TryGetValue(id, out var content))
            {
                return Task.FromResult<ReadOnlyMemory<byte>>(content);
            }

            var get = new TaskCompletionSource<ReadOnlyMemory<byte>>();
            if (!_waiting.TryGetValue(id, out var list))
            {
                _waiting[id] = list = [];
            }

            list.Add(get);
            return get.Task; // not WaitAsync: its extra step would run the answer's continuations later
        }
    }

    public Task<bool> DeleteAsync(ObjectId id, CancellationToken cancellationToken)
    {
        Log($"delete {id}");
        lock (_lock)
        {
            return Task.FromResult(_objects.Remove(id));
        }
    }
}
