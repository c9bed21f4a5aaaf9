using System.Diagnostics;

namespace Scaler.ObjectStorage.Store;

/// <summary>
/// The object storage's state: which ID names which content, and which requests wait for an ID to exist.
/// Pure logic, no I/O, not thread-safe: one caller (the request processor) drives it.
/// </summary>
/// <remarks>
/// <para>Rules: a set stores or overrides an ID and serves everything waiting on it. A get of a missing ID waits until
/// the ID is set (or created by a duplicate). A duplicate links a new ID to the content of a source ID, overriding the
/// new ID if it exists; if the source is missing it waits, and once linked the new ID serves its own waiters in turn,
/// so chains of duplicates resolve in one step. A delete removes the ID only: requests waiting on it keep waiting.</para>
/// <para>Finished requests are appended to the caller's completion list in the order they were made, per ID.</para>
/// </remarks>
/// <typeparam name="TRequester">Who to answer (a peer); compared with its default equality.</typeparam>
internal sealed class ObjectStore<TRequester>
    where TRequester : notnull
{
    /// <summary>ID to content. Every content here is live in <see cref="_contents"/>.</summary>
    private readonly Dictionary<ObjectId, StoredContent> _objects = [];

    /// <summary>The distinct contents with their reference counts (one per entry of <see cref="_objects"/>).</summary>
    private readonly ContentTable _contents;

    /// <summary>Requests waiting for an ID to exist, keyed by that ID, in arrival order. Never holds an existing ID.</summary>
    private readonly Dictionary<ObjectId, List<StoreWaiter<TRequester>>> _waiters = [];

    /// <summary>IDs that just became available and whose waiters have yet to be served (reused scratch).</summary>
    private readonly Stack<ObjectId> _available = new();

    public ObjectStore()
        : this(new ContentTable())
    {
    }

    /// <summary>For tests that need a content table with a chosen hash function.</summary>
    internal ObjectStore(ContentTable contents)
    {
        _contents = contents;
    }

    public ObjectStorageTotals Totals =>
        new((ulong)_objects.Count, (ulong)_contents.Count, (ulong)_contents.TotalBytes);

    /// <summary>Number of requests (gets and duplicates) waiting for an ID.</summary>
    public int WaitingRequestCount { get; private set; }

    public bool Contains(ObjectId id) => _objects.ContainsKey(id);

    /// <summary>The content of <paramref name="id"/> (shared, read-only) if it exists.</summary>
    public bool TryGetContent(ObjectId id, out ReadOnlyMemory<byte> content)
    {
        if (_objects.TryGetValue(id, out StoredContent? stored))
        {
            content = stored.Bytes;
            return true;
        }

        content = default;
        return false;
    }

    /// <summary>
    /// Stores <paramref name="bytes"/> under <paramref name="id"/>, replacing what it named. The buffer is kept as is
    /// (not copied) unless equal content is already stored, in which case that content is shared and the buffer dropped.
    /// The caller must not write to the buffer afterwards.
    /// </summary>
    public void Set(ObjectId id, ReadOnlyMemory<byte> bytes, List<StoreCompletion<TRequester>> completions)
    {
        StoredContent content = _contents.Acquire(bytes);
        Bind(id, content);
        ServeWaiters(id, completions);
        AssertInvariants();
    }

    /// <summary>Answers with at most <paramref name="maxLength"/> bytes of <paramref name="id"/>, now or once it exists.</summary>
    public void Get(
        TRequester requester, ulong requestId, ObjectId id, ulong maxLength, List<StoreCompletion<TRequester>> completions)
    {
        if (_objects.TryGetValue(id, out StoredContent? content))
        {
            completions.Add(Served(requester, requestId, id, maxLength, content));
        }
        else
        {
            Park(id, new StoreWaiter<TRequester>(StoreCompletionKind.GetServed, requester, requestId, maxLength, default));
        }

        AssertInvariants();
    }

    /// <summary>Removes <paramref name="id"/>; false if it did not exist. Requests waiting on it are kept.</summary>
    public bool Delete(ObjectId id)
    {
        if (!_objects.Remove(id, out StoredContent? content))
        {
            return false;
        }

        _contents.Release(content);
        AssertInvariants();
        return true;
    }

    /// <summary>
    /// Makes <paramref name="newId"/> name the content of <paramref name="sourceId"/>, now or once the source exists.
    /// </summary>
    public void Duplicate(
        TRequester requester,
        ulong requestId,
        ObjectId newId,
        ObjectId sourceId,
        List<StoreCompletion<TRequester>> completions)
    {
        if (_objects.TryGetValue(sourceId, out StoredContent? content))
        {
            Link(newId, content);
            completions.Add(new(StoreCompletionKind.DuplicateLinked, requester, requestId, newId, default));
            ServeWaiters(newId, completions);
        }
        else
        {
            Park(sourceId, new StoreWaiter<TRequester>(StoreCompletionKind.DuplicateLinked, requester, requestId, 0, newId));
        }

        AssertInvariants();
    }

    /// <summary>Drops every waiting request of <paramref name="requester"/> (it will never read the answers).</summary>
    /// <returns>How many requests were dropped.</returns>
    public int ForgetRequester(TRequester requester)
    {
        int dropped = 0;
        List<ObjectId>? emptied = null;
        foreach ((ObjectId id, List<StoreWaiter<TRequester>> waiters) in _waiters)
        {
            dropped += waiters.RemoveAll(w => EqualityComparer<TRequester>.Default.Equals(w.Requester, requester));
            if (waiters.Count == 0)
            {
                (emptied ??= []).Add(id);
            }
        }

        if (emptied is not null)
        {
            foreach (ObjectId id in emptied)
            {
                _waiters.Remove(id);
            }
        }

        WaitingRequestCount -= dropped;
        AssertInvariants();
        return dropped;
    }

    /// <summary>
    /// Checks every invariant of the store and throws <see cref="InvalidOperationException"/> naming the first broken one.
    /// Linear in the size of the store; tests call it directly, debug builds after every operation.
    /// </summary>
    internal void CheckInvariants()
    {
        var referencesSeen = new Dictionary<StoredContent, int>(ReferenceEqualityComparer.Instance);
        foreach ((ObjectId id, StoredContent content) in _objects)
        {
            Require(content.ReferenceCount > 0, $"object {id} names a released content");
            referencesSeen[content] = referencesSeen.GetValueOrDefault(content) + 1;
        }

        int contentCount = 0;
        long totalBytes = 0;
        _contents.ForEach(content =>
        {
            contentCount++;
            totalBytes += content.Length;
            Require(
                referencesSeen.GetValueOrDefault(content) == content.ReferenceCount,
                $"a content of {content.Length} bytes counts {content.ReferenceCount} references but " +
                $"{referencesSeen.GetValueOrDefault(content)} IDs name it");
            for (StoredContent? other = content.NextWithSameHash; other is not null; other = other.NextWithSameHash)
            {
                Require(other.Hash == content.Hash, "a hash chain mixes hashes");
                Require(!other.Bytes.Span.SequenceEqual(content.Bytes.Span), "two equal contents are stored twice");
            }
        });
        Require(contentCount == _contents.Count, $"content count {_contents.Count} but {contentCount} contents stored");
        Require(contentCount == referencesSeen.Count, "a content in use is missing from the content table");
        Require(totalBytes == _contents.TotalBytes, $"byte total {_contents.TotalBytes} but contents sum to {totalBytes}");

        int waiting = 0;
        foreach ((ObjectId id, List<StoreWaiter<TRequester>> waiters) in _waiters)
        {
            Require(waiters.Count > 0, $"an empty waiter list is kept for {id}");
            Require(!_objects.ContainsKey(id), $"requests wait for {id}, which exists");
            waiting += waiters.Count;
        }

        Require(waiting == WaitingRequestCount, $"waiting count {WaitingRequestCount} but {waiting} requests wait");
    }

    private static void Require(bool condition, string broken)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Object store invariant broken: " + broken);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => CheckInvariants();

    private static StoreCompletion<TRequester> Served(
        TRequester requester, ulong requestId, ObjectId id, ulong maxLength, StoredContent content)
    {
        ReadOnlyMemory<byte> bytes = content.Bytes;
        if ((ulong)bytes.Length > maxLength)
        {
            bytes = bytes[..(int)maxLength];
        }

        return new(StoreCompletionKind.GetServed, requester, requestId, id, bytes);
    }

    private void Park(ObjectId awaitedId, StoreWaiter<TRequester> waiter)
    {
        if (!_waiters.TryGetValue(awaitedId, out List<StoreWaiter<TRequester>>? waiters))
        {
            waiters = [];
            _waiters.Add(awaitedId, waiters);
        }

        waiters.Add(waiter);
        WaitingRequestCount++;
    }

    /// <summary>Points <paramref name="id"/> at a content that already exists, counting the new reference.</summary>
    private void Link(ObjectId id, StoredContent content)
    {
        if (_objects.TryGetValue(id, out StoredContent? current) && ReferenceEquals(current, content))
        {
            return; // Already names that content (also covers duplicating an ID onto itself).
        }

        ContentTable.AddReference(content);
        Bind(id, content);
    }

    /// <summary>Points <paramref name="id"/> at <paramref name="content"/> (whose reference is already counted).</summary>
    private void Bind(ObjectId id, StoredContent content)
    {
        if (_objects.TryGetValue(id, out StoredContent? previous))
        {
            _objects[id] = content;
            _contents.Release(previous);
        }
        else
        {
            _objects.Add(id, content);
        }
    }

    /// <summary>
    /// Serves the requests waiting on <paramref name="id"/>, which has just come to exist. Duplicates it completes make
    /// further IDs exist; their waiters are served too (iteratively, so long chains do not deepen the stack).
    /// </summary>
    private void ServeWaiters(ObjectId id, List<StoreCompletion<TRequester>> completions)
    {
        Debug.Assert(_available.Count == 0, "ServeWaiters is not re-entrant");
        _available.Push(id);
        while (_available.TryPop(out ObjectId availableId))
        {
            if (!_waiters.Remove(availableId, out List<StoreWaiter<TRequester>>? waiters))
            {
                continue;
            }

            WaitingRequestCount -= waiters.Count;
            StoredContent content = _objects[availableId];
            foreach (StoreWaiter<TRequester> waiter in waiters)
            {
                if (waiter.Kind == StoreCompletionKind.GetServed)
                {
                    completions.Add(Served(waiter.Requester, waiter.RequestId, availableId, waiter.MaxLength, content));
                }
                else
                {
                    Link(waiter.NewId, content);
                    completions.Add(new(
                        StoreCompletionKind.DuplicateLinked, waiter.Requester, waiter.RequestId, waiter.NewId, default));
                    _available.Push(waiter.NewId);
                }
            }
        }
    }
}
