using System.Diagnostics;
using Scaler.Identity;
using Scaler.ObjectStorage.Wire;

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
/// <para>Limits (<see cref="StoreLimits"/>): a set or duplicate that would take the store past its byte limit, and a
/// get or duplicate that would park one waiting request too many, is refused and changes nothing; requests already
/// waiting for the refused object keep waiting (a later set may still store it). A duplicate parked before its source
/// existed is linked when the source arrives without a byte check: it adds one ID's bookkeeping, and parked requests
/// are bounded by the waiting limits.</para>
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

    /// <summary>How many requests each requester has waiting; requesters with none are absent.</summary>
    private readonly Dictionary<TRequester, int> _waitingByRequester = [];

    /// <summary>IDs that just became available and whose waiters have yet to be served (reused scratch).</summary>
    private readonly Stack<ObjectId> _available = new();

    public ObjectStore()
        : this(StoreLimits.None)
    {
    }

    public ObjectStore(StoreLimits limits)
        : this(new ContentTable(), limits)
    {
    }

    /// <summary>For tests that need a content table with a chosen hash function.</summary>
    internal ObjectStore(ContentTable contents, StoreLimits? limits = null)
    {
        _contents = contents;
        Limits = limits ?? StoreLimits.None;
        ArgumentOutOfRangeException.ThrowIfNegative(Limits.MaxTotalBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(Limits.MaxWaitingRequests);
        ArgumentOutOfRangeException.ThrowIfNegative(Limits.MaxWaitingRequestsPerRequester);
    }

    public StoreLimits Limits { get; }

    public ObjectStorageTotals Totals =>
        new((ulong)_objects.Count, (ulong)_contents.Count, (ulong)_contents.TotalBytes);

    /// <summary>Bytes of the distinct contents (shared content counted once).</summary>
    public long ContentBytes => _contents.TotalBytes;

    /// <summary>What counts against <see cref="StoreLimits.MaxTotalBytes"/>: the contents and each ID's bookkeeping.</summary>
    public long ChargedBytes => _contents.TotalBytes + (_objects.Count * StoreLimits.BookkeepingBytesPerObjectId);

    /// <summary>Number of requests (gets and duplicates) waiting for an ID.</summary>
    public int WaitingRequestCount { get; private set; }

    /// <summary>Number of requests of <paramref name="requester"/> waiting for an ID.</summary>
    public int WaitingRequestCountOf(TRequester requester) => _waitingByRequester.GetValueOrDefault(requester);

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
    /// <returns><see cref="StoreRefusal.StoreFull"/> (nothing stored) when the byte limit does not allow it.</returns>
    public StoreRefusal Set(ObjectId id, ReadOnlyMemory<byte> bytes, List<StoreCompletion<TRequester>> completions)
    {
        if (!SetFits(id, bytes))
        {
            return StoreRefusal.StoreFull;
        }

        StoredContent content = _contents.Acquire(bytes);
        Bind(id, content);
        ServeWaiters(id, completions);
        AssertInvariants();
        return StoreRefusal.None;
    }

    /// <summary>Answers with at most <paramref name="maxLength"/> bytes of <paramref name="id"/>, now or once it exists.</summary>
    /// <returns>Why a get of a missing object could not be parked (nothing changed), or <see cref="StoreRefusal.None"/>.</returns>
    public StoreRefusal Get(
        TRequester requester, ulong requestId, ObjectId id, ulong maxLength, List<StoreCompletion<TRequester>> completions)
    {
        StoreRefusal refusal = StoreRefusal.None;
        if (_objects.TryGetValue(id, out StoredContent? content))
        {
            completions.Add(Served(requester, requestId, id, maxLength, content));
        }
        else
        {
            refusal = Park(id, new StoreWaiter<TRequester>(StoreCompletionKind.GetServed, requester, requestId, maxLength, default));
        }

        AssertInvariants();
        return refusal;
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
    /// <returns>Why it was neither linked nor parked (nothing changed), or <see cref="StoreRefusal.None"/>.</returns>
    public StoreRefusal Duplicate(
        TRequester requester,
        ulong requestId,
        ObjectId newId,
        ObjectId sourceId,
        List<StoreCompletion<TRequester>> completions)
    {
        StoreRefusal refusal = StoreRefusal.None;
        if (_objects.TryGetValue(sourceId, out StoredContent? content))
        {
            if (!_objects.ContainsKey(newId) && !Fits(StoreLimits.BookkeepingBytesPerObjectId))
            {
                return StoreRefusal.StoreFull;
            }

            Link(newId, content);
            completions.Add(new(StoreCompletionKind.DuplicateLinked, requester, requestId, newId, default));
            ServeWaiters(newId, completions);
        }
        else
        {
            refusal = Park(sourceId, new StoreWaiter<TRequester>(StoreCompletionKind.DuplicateLinked, requester, requestId, 0, newId));
        }

        AssertInvariants();
        return refusal;
    }

    /// <summary>Drops every waiting request of <paramref name="requester"/> (it will never read the answers).</summary>
    /// <returns>How many requests were dropped.</returns>
    public int ForgetRequester(TRequester requester)
    {
        // Most requesters that leave wait for nothing: no scan of every waiting request for them.
        if (!_waitingByRequester.Remove(requester))
        {
            return 0;
        }

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

        var perRequester = new Dictionary<TRequester, int>();
        foreach (List<StoreWaiter<TRequester>> waiters in _waiters.Values)
        {
            foreach (StoreWaiter<TRequester> waiter in waiters)
            {
                perRequester[waiter.Requester] = perRequester.GetValueOrDefault(waiter.Requester) + 1;
            }
        }

        Require(perRequester.Count == _waitingByRequester.Count, "a requester's waiting count is kept without waiters");
        foreach ((TRequester requester, int count) in perRequester)
        {
            Require(
                _waitingByRequester.GetValueOrDefault(requester) == count,
                $"requester {requester} counts {_waitingByRequester.GetValueOrDefault(requester)} waiting requests, {count} wait");
        }
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

    /// <summary>Whether <paramref name="addedBytes"/> more charged bytes stay within the byte limit.</summary>
    private bool Fits(long addedBytes) => addedBytes <= Limits.MaxTotalBytes - ChargedBytes;

    /// <summary>
    /// Whether setting <paramref name="bytes"/> under <paramref name="id"/> stays within the byte limit, counting exactly:
    /// content already stored is shared (adds nothing), and content the ID named alone is released.
    /// </summary>
    private bool SetFits(ObjectId id, ReadOnlyMemory<byte> bytes)
    {
        bool idExists = _objects.TryGetValue(id, out StoredContent? previous);
        long idCharge = idExists ? 0 : StoreLimits.BookkeepingBytesPerObjectId;
        if (Fits(idCharge + bytes.Length))
        {
            return true; // Fits even if nothing is shared or released: no need to hash the bytes.
        }

        StoredContent? equal = _contents.Find(bytes);
        long added = equal is null ? bytes.Length : 0;
        long released = previous is { ReferenceCount: 1 } && !ReferenceEquals(previous, equal) ? previous.Length : 0;
        return Fits(idCharge + added - released);
    }

    private StoreRefusal Park(ObjectId awaitedId, StoreWaiter<TRequester> waiter)
    {
        if (WaitingRequestCount >= Limits.MaxWaitingRequests)
        {
            return StoreRefusal.TooManyWaitingRequests;
        }

        int ofRequester = _waitingByRequester.GetValueOrDefault(waiter.Requester);
        if (ofRequester >= Limits.MaxWaitingRequestsPerRequester)
        {
            return StoreRefusal.TooManyWaitingRequestsOfRequester;
        }

        if (!_waiters.TryGetValue(awaitedId, out List<StoreWaiter<TRequester>>? waiters))
        {
            waiters = [];
            _waiters.Add(awaitedId, waiters);
        }

        waiters.Add(waiter);
        WaitingRequestCount++;
        _waitingByRequester[waiter.Requester] = ofRequester + 1;
        return StoreRefusal.None;
    }

    /// <summary>Counts one waiting request of <paramref name="requester"/> less.</summary>
    private void Unpark(TRequester requester)
    {
        int left = _waitingByRequester[requester] - 1;
        if (left == 0)
        {
            _waitingByRequester.Remove(requester);
        }
        else
        {
            _waitingByRequester[requester] = left;
        }
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
                Unpark(waiter.Requester);
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
