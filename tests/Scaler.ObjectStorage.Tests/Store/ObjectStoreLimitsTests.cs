using Scaler.Identity;
using Scaler.ObjectStorage.Store;
using Scaler.ObjectStorage.Wire;

namespace Scaler.ObjectStorage.Tests.Store;

/// <summary>The store's limits: bytes held (counted exactly), and requests waiting in all and per requester.</summary>
public sealed class ObjectStoreLimitsTests
{
    private const long PerId = StoreLimits.BookkeepingBytesPerObjectId;

    private static readonly ObjectId A = new(1, 1, 1, 1);
    private static readonly ObjectId B = new(1, 1, 1, 2);
    private static readonly ObjectId C = new(1, 1, 1, 3);

    private readonly List<StoreCompletion<string>> _done = [];

    [Fact]
    public void Set_PastMaxTotalBytes_IsRefusedAndStoresNothing()
    {
        var store = new ObjectStore<string>(Bytes(2 * PerId + 150));
        Assert.Equal(StoreRefusal.None, store.Set(A, Filled(100, 1), _done));

        Assert.Equal(StoreRefusal.StoreFull, store.Set(B, Filled(100, 2), _done));

        Assert.False(store.Contains(B));
        Assert.Equal(new ObjectStorageTotals(1, 1, 100), store.Totals);
        Assert.Equal(PerId + 100, store.ChargedBytes);
        store.CheckInvariants();
    }

    [Fact]
    public void Set_UpToExactlyTheLimit_IsStored()
    {
        var store = new ObjectStore<string>(Bytes(2 * PerId + 200));
        store.Set(A, Filled(100, 1), _done);

        Assert.Equal(StoreRefusal.None, store.Set(B, Filled(100, 2), _done));
        Assert.Equal(store.Limits.MaxTotalBytes, store.ChargedBytes);
    }

    [Fact]
    public void Set_ContentAlreadyStored_CostsOnlyItsIdWhenFull()
    {
        var store = new ObjectStore<string>(Bytes(2 * PerId + 100));
        store.Set(A, Filled(100, 1), _done);

        Assert.Equal(StoreRefusal.None, store.Set(B, Filled(100, 1), _done));

        Assert.Equal(new ObjectStorageTotals(2, 1, 100), store.Totals);
        Assert.Equal(StoreRefusal.StoreFull, store.Set(C, Filled(1, 3), _done));
        store.CheckInvariants();
    }

    [Fact]
    public void Set_ReplacingAnObjectItNamesAlone_CountsItsContentAsReleased()
    {
        var store = new ObjectStore<string>(Bytes(PerId + 100));
        store.Set(A, Filled(100, 1), _done);

        Assert.Equal(StoreRefusal.None, store.Set(A, Filled(100, 2), _done));
        Assert.Equal(StoreRefusal.StoreFull, store.Set(A, Filled(101, 3), _done));

        Assert.True(store.TryGetContent(A, out ReadOnlyMemory<byte> content));
        Assert.Equal(Filled(100, 2), content.ToArray());
        store.CheckInvariants();
    }

    [Fact]
    public void Set_ReplacingSharedContent_DoesNotCountItAsReleased()
    {
        var store = new ObjectStore<string>(Bytes(2 * PerId + 100));
        store.Set(A, Filled(100, 1), _done);
        store.Set(B, Filled(100, 1), _done);

        Assert.Equal(StoreRefusal.StoreFull, store.Set(A, Filled(100, 2), _done));
        Assert.Equal(new ObjectStorageTotals(2, 1, 100), store.Totals);
        store.CheckInvariants();
    }

    [Fact]
    public void Set_EmptyObjects_AreBoundedByTheirBookkeeping()
    {
        var store = new ObjectStore<string>(Bytes(10 * PerId));
        for (ulong i = 0; i < 10; i++)
        {
            Assert.Equal(StoreRefusal.None, store.Set(new ObjectId(0, 0, 0, i), Array.Empty<byte>(), _done));
        }

        Assert.Equal(StoreRefusal.StoreFull, store.Set(new ObjectId(0, 0, 0, 10), Array.Empty<byte>(), _done));
        Assert.Equal(10UL, store.Totals.ObjectIdCount);
    }

    [Fact]
    public void Duplicate_ToANewIdWhenFull_IsRefused_OntoAnExistingId_IsLinked()
    {
        var store = new ObjectStore<string>(Bytes(2 * PerId + 3));
        store.Set(A, new byte[] { 1, 2 }, _done);
        store.Set(B, new byte[] { 3 }, _done);

        Assert.Equal(StoreRefusal.StoreFull, store.Duplicate("p", 1, C, A, _done));
        Assert.Empty(_done);
        Assert.False(store.Contains(C));

        Assert.Equal(StoreRefusal.None, store.Duplicate("p", 2, B, A, _done));
        Assert.Equal(StoreCompletionKind.DuplicateLinked, Assert.Single(_done).Kind);
        Assert.Equal(new ObjectStorageTotals(2, 1, 2), store.Totals);
        store.CheckInvariants();
    }

    [Fact]
    public void RefusedSet_LeavesGetsWaitingForThatObject_AndALaterSetServesThem()
    {
        var store = new ObjectStore<string>(Bytes(PerId + 10));
        store.Set(A, Filled(10, 1), _done);
        store.Get("reader", 7, B, ulong.MaxValue, _done);

        Assert.Equal(StoreRefusal.StoreFull, store.Set(B, Filled(10, 2), _done));
        Assert.Empty(_done);
        Assert.Equal(1, store.WaitingRequestCount);

        store.Delete(A);
        Assert.Equal(StoreRefusal.None, store.Set(B, Filled(10, 2), _done));
        StoreCompletion<string> served = Assert.Single(_done);
        Assert.Equal(("reader", 7UL), (served.Requester, served.RequestId));
        Assert.Equal(Filled(10, 2), served.Payload.ToArray());
        store.CheckInvariants();
    }

    [Fact]
    public void Park_PastTheLimitPerRequester_IsRefusedForThatRequesterOnly()
    {
        var store = new ObjectStore<string>(new StoreLimits(long.MaxValue, 10, 2));
        Assert.Equal(StoreRefusal.None, store.Get("p", 1, A, ulong.MaxValue, _done));
        Assert.Equal(StoreRefusal.None, store.Duplicate("p", 2, C, B, _done));

        Assert.Equal(StoreRefusal.TooManyWaitingRequestsOfRequester, store.Get("p", 3, A, ulong.MaxValue, _done));
        Assert.Equal(StoreRefusal.TooManyWaitingRequestsOfRequester, store.Duplicate("p", 4, C, B, _done));
        Assert.Equal(StoreRefusal.None, store.Get("q", 1, A, ulong.MaxValue, _done));

        Assert.Equal(2, store.WaitingRequestCountOf("p"));
        Assert.Equal(3, store.WaitingRequestCount);
        store.CheckInvariants();
    }

    [Fact]
    public void Park_PastTheTotalLimit_IsRefusedForEveryone()
    {
        var store = new ObjectStore<string>(new StoreLimits(long.MaxValue, 3, 10));
        store.Get("p", 1, A, ulong.MaxValue, _done);
        store.Get("q", 1, A, ulong.MaxValue, _done);
        store.Get("r", 1, B, ulong.MaxValue, _done);

        Assert.Equal(StoreRefusal.TooManyWaitingRequests, store.Get("s", 1, C, ulong.MaxValue, _done));
        Assert.Equal(StoreRefusal.TooManyWaitingRequests, store.Duplicate("s", 2, C, B, _done));
        Assert.Equal(3, store.WaitingRequestCount);
        store.CheckInvariants();
    }

    [Fact]
    public void WaitingPlaces_AreFreedWhenServedOrForgotten()
    {
        var store = new ObjectStore<string>(new StoreLimits(long.MaxValue, 2, 1));
        store.Get("p", 1, A, ulong.MaxValue, _done);
        store.Get("q", 1, B, ulong.MaxValue, _done);
        Assert.Equal(StoreRefusal.TooManyWaitingRequests, store.Get("r", 1, C, ulong.MaxValue, _done));

        store.Set(A, new byte[] { 1 }, _done);
        Assert.Equal(0, store.WaitingRequestCountOf("p"));
        Assert.Equal(StoreRefusal.None, store.Get("p", 2, C, ulong.MaxValue, _done));

        Assert.Equal(1, store.ForgetRequester("q"));
        Assert.Equal(StoreRefusal.None, store.Get("r", 2, B, ulong.MaxValue, _done));
        Assert.Equal(0, store.ForgetRequester("nobody"));
        store.CheckInvariants();
    }

    [Fact]
    public void Get_ExistingObject_IsServedWhateverTheWaitingLimits()
    {
        var store = new ObjectStore<string>(new StoreLimits(long.MaxValue, 0, 0));
        store.Set(A, new byte[] { 5 }, _done);

        Assert.Equal(StoreRefusal.None, store.Get("p", 1, A, ulong.MaxValue, _done));
        Assert.Equal(StoreRefusal.TooManyWaitingRequests, store.Get("p", 2, B, ulong.MaxValue, _done));
        Assert.Single(_done, d => d.RequestId == 1);
    }

    [Fact]
    public void RandomOperations_AreRefusedExactlyWhenTheyWouldPassTheByteLimit()
    {
        const long limit = (3 * PerId) + 5;
        var store = new ObjectStore<string>(Bytes(limit));
        var random = new Random(4242);
        var model = new Dictionary<ObjectId, byte[]>();
        var ids = Enumerable.Range(0, 6).Select(i => new ObjectId(0, 0, 0, (ulong)i)).ToArray();
        byte[][] contents = [[], [1], [1, 2], [2, 1], [1, 2, 3], [9, 9, 9, 9], [7, 7, 7, 7, 7, 7]];
        int refused = 0;
        int accepted = 0;

        for (int step = 0; step < 5000; step++)
        {
            ObjectId id = ids[random.Next(ids.Length)];
            switch (random.Next(3))
            {
                case 0:
                    byte[] content = contents[random.Next(contents.Length)];
                    var afterSet = new Dictionary<ObjectId, byte[]>(model) { [id] = content };
                    StoreRefusal setOutcome = store.Set(id, content.ToArray(), _done);
                    Assert.Equal(Charged(afterSet) <= limit ? StoreRefusal.None : StoreRefusal.StoreFull, setOutcome);
                    if (setOutcome == StoreRefusal.None)
                    {
                        model = afterSet;
                        accepted++;
                    }
                    else
                    {
                        refused++;
                    }

                    break;
                case 1:
                    Assert.Equal(model.Remove(id), store.Delete(id));
                    break;
                default:
                    ObjectId source = ids[random.Next(ids.Length)];
                    if (model.TryGetValue(source, out byte[]? sourceContent))
                    {
                        var afterDuplicate = new Dictionary<ObjectId, byte[]>(model) { [id] = sourceContent };
                        StoreRefusal duplicateOutcome = store.Duplicate("p", (ulong)step, id, source, _done);
                        Assert.Equal(
                            Charged(afterDuplicate) <= limit ? StoreRefusal.None : StoreRefusal.StoreFull, duplicateOutcome);
                        if (duplicateOutcome == StoreRefusal.None)
                        {
                            model = afterDuplicate;
                        }
                    }

                    break;
            }

            Assert.Equal(Charged(model), store.ChargedBytes);
            store.CheckInvariants();
        }

        // The walk went through both outcomes many times, so neither side of the rule is left untested.
        Assert.True(refused > 100 && accepted > 100, $"{refused} refused, {accepted} accepted");
    }

    private static long Charged(Dictionary<ObjectId, byte[]> model) =>
        (model.Count * PerId) + model.Values.Select(Convert.ToHexString).Distinct().Sum(hex => hex.Length / 2);

    private static StoreLimits Bytes(long maxTotalBytes) => StoreLimits.None with { MaxTotalBytes = maxTotalBytes };

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
