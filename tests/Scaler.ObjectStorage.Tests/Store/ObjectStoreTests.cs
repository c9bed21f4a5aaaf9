using System.Runtime.InteropServices;
using Scaler.Identity;
using Scaler.ObjectStorage.Store;
using Scaler.ObjectStorage.Wire;

namespace Scaler.ObjectStorage.Tests.Store;

public sealed class ObjectStoreTests
{
    private static readonly ObjectId A = new(1, 1, 1, 1);
    private static readonly ObjectId B = new(1, 1, 1, 2);
    private static readonly ObjectId C = new(1, 1, 1, 3);
    private static readonly ObjectId D = new(1, 1, 1, 4);

    private readonly ObjectStore<string> _store = new();
    private readonly List<StoreCompletion<string>> _done = [];

    [Fact]
    public void Get_ExistingObject_ServesSliceOfStoredBufferWithoutCopy()
    {
        byte[] payload = [10, 20, 30];
        _store.Set(A, payload, _done);

        _store.Get("p", 5, A, ulong.MaxValue, _done);

        StoreCompletion<string> served = Assert.Single(_done);
        Assert.Equal(new StoreCompletion<string>(StoreCompletionKind.GetServed, "p", 5, A, served.Payload), served);
        Assert.True(MemoryMarshal.TryGetArray(served.Payload, out ArraySegment<byte> segment));
        Assert.Same(payload, segment.Array);
        Check();
    }

    [Theory]
    [InlineData(0UL, 0)]
    [InlineData(2UL, 2)]
    [InlineData(3UL, 3)]
    [InlineData(4UL, 3)]
    [InlineData(ulong.MaxValue, 3)]
    public void Get_ReturnsAtMostRequestedLength(ulong requested, int expected)
    {
        _store.Set(A, new byte[] { 1, 2, 3 }, _done);

        _store.Get("p", 1, A, requested, _done);

        Assert.Equal(new byte[] { 1, 2, 3 }[..expected], Assert.Single(_done).Payload.ToArray());
    }

    [Fact]
    public void Get_MissingObject_WaitsUntilSet()
    {
        _store.Get("p", 1, A, ulong.MaxValue, _done);
        _store.Get("q", 2, A, 1, _done);
        Assert.Empty(_done);
        Assert.Equal(2, _store.WaitingRequestCount);
        Check();

        _store.Set(A, new byte[] { 9, 8 }, _done);

        Assert.Equal(2, _done.Count);
        Assert.Equal(("p", 1UL), (_done[0].Requester, _done[0].RequestId));
        Assert.Equal(new byte[] { 9, 8 }, _done[0].Payload.ToArray());
        Assert.Equal(("q", 2UL), (_done[1].Requester, _done[1].RequestId));
        Assert.Equal(new byte[] { 9 }, _done[1].Payload.ToArray());
        Assert.Equal(0, _store.WaitingRequestCount);
        Check();
    }

    [Fact]
    public void Set_EqualContentUnderTwoIds_SharesMemoryAndCountsBytesOnce()
    {
        byte[] first = [1, 2, 3, 4];
        _store.Set(A, first, _done);
        _store.Set(B, new byte[] { 1, 2, 3, 4 }, _done);

        Assert.Equal(new ObjectStorageTotals(2, 1, 4), _store.Totals);
        Assert.True(_store.TryGetContent(B, out ReadOnlyMemory<byte> b));
        Assert.True(MemoryMarshal.TryGetArray(b, out ArraySegment<byte> segment));
        Assert.Same(first, segment.Array);
        Check();
    }

    [Fact]
    public void Set_DifferentContents_CountsEachContent()
    {
        _store.Set(A, new byte[3], _done);
        _store.Set(B, new byte[5], _done);
        _store.Set(C, Array.Empty<byte>(), _done);

        Assert.Equal(new ObjectStorageTotals(3, 3, 8), _store.Totals);
        Check();
    }

    [Fact]
    public void Set_ExistingId_OverridesAndReleasesOldContent()
    {
        _store.Set(A, new byte[] { 1, 1, 1 }, _done);

        _store.Set(A, new byte[] { 2 }, _done);

        Assert.Equal(new ObjectStorageTotals(1, 1, 1), _store.Totals);
        Assert.True(_store.TryGetContent(A, out ReadOnlyMemory<byte> content));
        Assert.Equal(new byte[] { 2 }, content.ToArray());
        Check();
    }

    [Fact]
    public void Set_ExistingIdWithSameContent_KeepsOneContent()
    {
        _store.Set(A, new byte[] { 1, 1, 1 }, _done);
        _store.Set(B, new byte[] { 1, 1, 1 }, _done);

        _store.Set(A, new byte[] { 1, 1, 1 }, _done);

        Assert.Equal(new ObjectStorageTotals(2, 1, 3), _store.Totals);
        Check();
    }

    [Fact]
    public void Set_OverridingOneOfTwoSharingIds_KeepsTheOtherContent()
    {
        _store.Set(A, new byte[] { 7, 7 }, _done);
        _store.Set(B, new byte[] { 7, 7 }, _done);

        _store.Set(A, new byte[] { 8 }, _done);

        Assert.Equal(new ObjectStorageTotals(2, 2, 3), _store.Totals);
        Assert.True(_store.TryGetContent(B, out ReadOnlyMemory<byte> b));
        Assert.Equal(new byte[] { 7, 7 }, b.ToArray());
        Check();
    }

    [Fact]
    public void Delete_ReportsWhetherIdExisted()
    {
        _store.Set(A, new byte[] { 1 }, _done);

        Assert.True(_store.Delete(A));
        Assert.False(_store.Delete(A));
        Assert.False(_store.Delete(B));
        Assert.Equal(new ObjectStorageTotals(0, 0, 0), _store.Totals);
        Check();
    }

    [Fact]
    public void Delete_OneOfTwoSharingIds_KeepsContentForTheOther()
    {
        _store.Set(A, new byte[] { 5, 5, 5 }, _done);
        _store.Set(B, new byte[] { 5, 5, 5 }, _done);

        Assert.True(_store.Delete(A));

        Assert.Equal(new ObjectStorageTotals(1, 1, 3), _store.Totals);
        Assert.True(_store.TryGetContent(B, out _));
        Check();
    }

    [Fact]
    public void Delete_IdWithWaitingGets_KeepsThemWaitingForTheNextSet()
    {
        _store.Get("p", 1, A, ulong.MaxValue, _done);

        Assert.False(_store.Delete(A));
        Assert.Equal(1, _store.WaitingRequestCount);

        _store.Set(A, new byte[] { 4 }, _done);
        Assert.Equal(new byte[] { 4 }, Assert.Single(_done).Payload.ToArray());
        Check();
    }

    [Fact]
    public void Delete_ThenGet_WaitsForNextSet()
    {
        _store.Set(A, new byte[] { 1 }, _done);
        _store.Delete(A);

        _store.Get("p", 1, A, ulong.MaxValue, _done);
        Assert.Empty(_done);

        _store.Set(A, new byte[] { 2 }, _done);
        Assert.Equal(new byte[] { 2 }, Assert.Single(_done).Payload.ToArray());
        Check();
    }

    [Fact]
    public void Delete_SourceOfWaitingDuplicate_KeepsDuplicateWaiting()
    {
        _store.Duplicate("p", 1, B, A, _done);
        _store.Delete(A);

        _store.Set(A, new byte[] { 3 }, _done);

        Assert.Equal(StoreCompletionKind.DuplicateLinked, Assert.Single(_done).Kind);
        Assert.True(_store.TryGetContent(B, out ReadOnlyMemory<byte> b));
        Assert.Equal(new byte[] { 3 }, b.ToArray());
        Check();
    }

    [Fact]
    public void Duplicate_ExistingSource_LinksNewIdToSameMemory()
    {
        byte[] payload = [1, 2];
        _store.Set(A, payload, _done);

        _store.Duplicate("p", 3, B, A, _done);

        Assert.Equal(new StoreCompletion<string>(StoreCompletionKind.DuplicateLinked, "p", 3, B, default), Assert.Single(_done));
        Assert.Equal(new ObjectStorageTotals(2, 1, 2), _store.Totals);
        Assert.True(_store.TryGetContent(B, out ReadOnlyMemory<byte> b));
        Assert.True(MemoryMarshal.TryGetArray(b, out ArraySegment<byte> segment));
        Assert.Same(payload, segment.Array);
        Check();
    }

    [Fact]
    public void Duplicate_OntoExistingId_OverridesIt()
    {
        _store.Set(A, new byte[] { 1 }, _done);
        _store.Set(B, new byte[] { 2, 2, 2 }, _done);

        _store.Duplicate("p", 1, B, A, _done);

        Assert.Equal(new ObjectStorageTotals(2, 1, 1), _store.Totals);
        Assert.True(_store.TryGetContent(B, out ReadOnlyMemory<byte> b));
        Assert.Equal(new byte[] { 1 }, b.ToArray());
        Check();
    }

    [Fact]
    public void Duplicate_OntoItself_ChangesNothing()
    {
        _store.Set(A, new byte[] { 1 }, _done);

        _store.Duplicate("p", 1, A, A, _done);

        Assert.Single(_done);
        Assert.Equal(new ObjectStorageTotals(1, 1, 1), _store.Totals);
        Check();
    }

    [Fact]
    public void Duplicate_MissingSource_WaitsThenServesGetsOnNewId()
    {
        _store.Get("reader", 1, B, ulong.MaxValue, _done);
        _store.Duplicate("writer", 2, B, A, _done);
        Assert.Empty(_done);
        Assert.False(_store.Contains(B));

        _store.Set(A, new byte[] { 6 }, _done);

        Assert.Equal(2, _done.Count);
        Assert.Equal((StoreCompletionKind.DuplicateLinked, "writer", B), (_done[0].Kind, _done[0].Requester, _done[0].ObjectId));
        Assert.Equal((StoreCompletionKind.GetServed, "reader", B), (_done[1].Kind, _done[1].Requester, _done[1].ObjectId));
        Assert.Equal(new byte[] { 6 }, _done[1].Payload.ToArray());
        Check();
    }

    [Fact]
    public void Duplicate_ExistingSource_ServesGetsWaitingOnNewId()
    {
        _store.Set(A, new byte[] { 6 }, _done);
        _store.Get("reader", 1, B, ulong.MaxValue, _done);

        _store.Duplicate("writer", 2, B, A, _done);

        Assert.Equal(
            [StoreCompletionKind.DuplicateLinked, StoreCompletionKind.GetServed],
            _done.Select(c => c.Kind).ToArray());
        Check();
    }

    [Fact]
    public void Duplicate_Chain_ResolvesWhenFirstSourceIsSet()
    {
        _store.Duplicate("p", 1, B, A, _done);
        _store.Duplicate("p", 2, C, B, _done);
        _store.Duplicate("p", 3, D, C, _done);
        _store.Get("p", 4, D, ulong.MaxValue, _done);
        Assert.Empty(_done);
        Assert.Equal(4, _store.WaitingRequestCount);

        _store.Set(A, new byte[] { 1, 2, 3 }, _done);

        Assert.Equal([1UL, 2UL, 3UL, 4UL], _done.Select(c => c.RequestId).ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, _done[3].Payload.ToArray());
        Assert.Equal(new ObjectStorageTotals(4, 1, 3), _store.Totals);
        Assert.Equal(0, _store.WaitingRequestCount);
        Check();
    }

    [Fact]
    public void Duplicate_Cycle_ResolvesOnceAndTerminates()
    {
        _store.Duplicate("p", 1, B, A, _done);
        _store.Duplicate("p", 2, A, B, _done);

        _store.Set(A, new byte[] { 9 }, _done);

        Assert.Equal([1UL, 2UL], _done.Select(c => c.RequestId).ToArray());
        Assert.Equal(new ObjectStorageTotals(2, 1, 1), _store.Totals);
        Check();
    }

    [Fact]
    public void Duplicate_LongChain_DoesNotOverflowTheStack()
    {
#if DEBUG
        // Debug builds check every invariant after each operation (linear cost), so a long chain would be quadratic.
        const int length = 2_000;
#else
        const int length = 100_000;
#endif
        for (ulong i = 0; i < length; i++)
        {
            _store.Duplicate("p", i, new ObjectId(0, 0, 0, i + 1), new ObjectId(0, 0, 0, i), _done);
        }

        _store.Set(new ObjectId(0, 0, 0, 0), new byte[] { 1 }, _done);

        Assert.Equal(length, _done.Count);
        Assert.Equal(new ObjectStorageTotals(length + 1, 1, 1), _store.Totals);
    }

    [Fact]
    public void Set_HashCollision_NeverMergesDifferentContents()
    {
        var store = new ObjectStore<string>(new ContentTable { HashFunction = static _ => 1 });
        store.Set(A, new byte[] { 1, 2 }, _done);
        store.Set(B, new byte[] { 3, 4 }, _done);
        store.Set(C, new byte[] { 1, 2 }, _done);

        Assert.Equal(new ObjectStorageTotals(3, 2, 4), store.Totals);
        Assert.True(store.TryGetContent(B, out ReadOnlyMemory<byte> b));
        Assert.Equal(new byte[] { 3, 4 }, b.ToArray());
        store.CheckInvariants();
    }

    [Fact]
    public void ForgetRequester_DropsOnlyThatRequestersWaits()
    {
        _store.Get("gone", 1, A, ulong.MaxValue, _done);
        _store.Duplicate("gone", 2, C, B, _done);
        _store.Get("stays", 3, A, ulong.MaxValue, _done);

        Assert.Equal(2, _store.ForgetRequester("gone"));
        Check();

        _store.Set(A, new byte[] { 1 }, _done);
        _store.Set(B, new byte[] { 1 }, _done);
        Assert.Equal("stays", Assert.Single(_done).Requester);
        Assert.False(_store.Contains(C));
        Check();
    }

    [Fact]
    public void RandomOperations_MatchASimpleModel()
    {
        var random = new Random(12345);
        var model = new Dictionary<ObjectId, byte[]>();
        var ids = Enumerable.Range(0, 12).Select(i => new ObjectId(0, 0, 0, (ulong)i)).ToArray();
        byte[][] contents = [[], [1], [1, 2], [2, 1], [1, 2, 3], [9, 9, 9, 9]];

        for (int step = 0; step < 3000; step++)
        {
            ObjectId id = ids[random.Next(ids.Length)];
            switch (random.Next(4))
            {
                case 0:
                    byte[] content = contents[random.Next(contents.Length)];
                    _store.Set(id, content.ToArray(), _done);
                    model[id] = content;
                    break;
                case 1:
                    Assert.Equal(model.Remove(id), _store.Delete(id));
                    break;
                case 2:
                    ObjectId source = ids[random.Next(ids.Length)];
                    if (model.TryGetValue(source, out byte[]? sourceContent))
                    {
                        _store.Duplicate("p", (ulong)step, id, source, _done);
                        model[id] = sourceContent;
                    }

                    break;
                default:
                    if (model.TryGetValue(id, out byte[]? expected))
                    {
                        _done.Clear();
                        _store.Get("p", (ulong)step, id, ulong.MaxValue, _done);
                        Assert.Equal(expected, Assert.Single(_done).Payload.ToArray());
                    }

                    break;
            }

            var distinct = model.Values.Select(Convert.ToHexString).Distinct().ToList();
            Assert.Equal(
                new ObjectStorageTotals((ulong)model.Count, (ulong)distinct.Count, (ulong)distinct.Sum(h => h.Length / 2)),
                _store.Totals);
            _store.CheckInvariants();
        }
    }

    private void Check() => _store.CheckInvariants();
}
